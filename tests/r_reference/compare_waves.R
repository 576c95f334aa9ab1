# Reference values for comparing two waves (fuldtid/stats/compare.py, tests/test_compare.py).
#   Rscript tests/r_reference/compare_waves.R EXPORT_A POPULATION_A EXPORT_B POPULATION_B
# EXPORT_* is a folder with the SurveyXact CSV trio (cp1252, ';'). Questions are found by their text in
# structure.csv (so shifted s_N names do not matter), codes turned into labels with labels.csv; answered =
# statoverall_3 or statoverall_4 is 1. Each wave is raked to its own population file (every margin, the
# omfatter column mapping answers to register categories) on the respondents who have every weighting
# variable:
#   rk <- rake(svydesign(ids = ~1, fpc = ~N, data = d), ...)
# and for a share y in a domain (the table's group, answered):
#   m <- svymean(~y, subset(rk, domain)); share = coef(m), se = SE(m)
#   difference = share_B - share_A, se = sqrt(se_A^2 + se_B^2), ci = difference -/+ qnorm(0.975) * se,
#   p = 2 * pnorm(-abs(difference / se))
# Unweighted: fisher.test(matrix(c(x_A, n_A - x_A, x_B, n_B - x_B), 2, byrow = TRUE))$p.value
# Output: one line per answer: item label x_A n_A x_B n_B fisher_p share_A se_A share_B se_B diff se lo hi p,
# then "ci item label" with each wave's logit interval (svyciprop(..., method = "logit")): lo_A hi_A lo_B hi_B
suppressMessages(library(survey))
cat("# survey", as.character(packageVersion("survey")), "/", R.version.string, "\n")
args <- commandArgs(TRUE)
norm <- function(s) sub("[ ?:.!]+$", "", tolower(trimws(gsub("\\s+", " ", s))))

read_wave <- function(dir) {
  ds <- read.csv(file.path(dir, "dataset.csv"), sep = ";", fileEncoding = "CP1252", colClasses = "character",
                 na.strings = "", check.names = FALSE)
  st <- read.csv(file.path(dir, "structure.csv"), sep = ";", fileEncoding = "CP1252", colClasses = "character")
  lab <- read.csv(file.path(dir, "labels.csv"), sep = ";", header = FALSE, fileEncoding = "CP1252",
                  colClasses = "character")
  byq <- function(text) {
    v <- unique(st$variableName[norm(st$questionText) == norm(text)])
    stopifnot(length(v) == 1)
    l <- lab[lab$V1 == v, ]
    l$V3[match(ds[[v]], l$V2)]
  }
  answered <- ds$statoverall_3 %in% "1" | ds$statoverall_4 %in% "1"
  data.frame(
    koen = byq("Hvad er dit køn?"),
    timetal = byq("Hvor mange timer om ugen er du ansat til?"),
    overenskomst = byq("Hvilken overenskomst er du ansat efter?"),
    op_i_tid = byq("Ønsker du at gå op i tid?"),
    ned_i_tid = byq("Ønsker du at gå ned i tid?"),
    mulighed = byq("Oplever du, at det er muligt at gå op eller ned i tid på din arbejdsplads?"),
    stringsAsFactors = FALSE)[answered, ]
}

rake_wave <- function(all, popfile) {
  pop <- read.csv(popfile, sep = ";", fileEncoding = "UTF-8", colClasses = "character")
  vars <- unique(pop$variabel)
  d <- all[complete.cases(all[, vars]), ]
  sample_margins <- list(); pop_margins <- list()
  for (v in vars) {
    p <- pop[pop$variabel == v, ]
    cover <- ifelse(p$omfatter == "", p$kategori, p$omfatter)
    map <- do.call(rbind, lapply(seq_len(nrow(p)), function(i)
      data.frame(label = strsplit(cover[i], "|", fixed = TRUE)[[1]], cat = p$kategori[i])))
    d[[paste0(v, "_w")]] <- map$cat[match(d[[v]], map$label)]
    sample_margins[[v]] <- as.formula(paste0("~", v, "_w"))
    pm <- data.frame(p$kategori, as.numeric(p$antal)); names(pm) <- c(paste0(v, "_w"), "Freq")
    pop_margins[[v]] <- pm
  }
  d$N <- sum(as.numeric(pop$antal[pop$variabel == vars[1]]))
  d$deltid <- d$timetal %in% c("1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer")
  d$fuldtid <- d$timetal %in% "37 timer"
  list(all = all, rk = rake(svydesign(ids = ~1, fpc = ~N, data = d), sample_margins, pop_margins,
                            control = list(maxit = 1000, epsilon = 1e-12)))
}

g <- function(x) sprintf("%.12g", x)
share <- function(w, field, label, group, missing_row = FALSE) {
  all <- w$all; rk <- w$rk
  ingroup <- switch(group, alle = rep(TRUE, nrow(all)), deltid = all$timetal %in% c("1-9 timer", "10-19 timer",
                    "20-29 timer", "30-36 timer"), fuldtid = all$timetal %in% "37 timer")
  val <- all[[field]]
  dom <- if (missing_row) ingroup else ingroup & !is.na(val)
  hit <- if (label == "<NA>") is.na(val) else val %in% label
  x <- sum(dom & hit); n <- sum(dom)
  rd <- rk$variables
  rval <- rd[[field]]
  rgroup <- switch(group, alle = rep(TRUE, nrow(rd)), deltid = rd$deltid, fuldtid = rd$fuldtid)
  rdom <- if (missing_row) rgroup else rgroup & !is.na(rval)
  rk2 <- update(rk, y = as.numeric(if (label == "<NA>") is.na(rval) else rval %in% label), dom = rdom)
  m <- svymean(~y, subset(rk2, dom))
  ci <- attr(svyciprop(~y, subset(rk2, dom), method = "logit"), "ci")
  c(x = x, n = n, share = unname(coef(m)), se = unname(SE(m)[1]), lo = unname(ci[1]), hi = unname(ci[2]))
}
compare <- function(item, field, label, group, missing_row = FALSE) {
  a <- share(A, field, label, group, missing_row); b <- share(B, field, label, group, missing_row)
  f <- fisher.test(matrix(c(a["x"], a["n"] - a["x"], b["x"], b["n"] - b["x"]), 2, byrow = TRUE))$p.value
  d <- b["share"] - a["share"]; se <- sqrt(a["se"]^2 + b["se"]^2)
  cat(item, shQuote(label), a["x"], a["n"], b["x"], b["n"], g(f), g(a["share"]), g(a["se"]), g(b["share"]),
      g(b["se"]), g(d), g(se), g(d - qnorm(0.975) * se), g(d + qnorm(0.975) * se), g(2 * pnorm(-abs(d / se))), "\n")
  # each wave's own 95% interval, as the figure draws it: svyciprop(~y, subset(rk, domain), method = "logit")
  cat("ci", item, shQuote(label), g(a["lo"]), g(a["hi"]), g(b["lo"]), g(b["hi"]), "\n")
}

A <- rake_wave(read_wave(args[1]), args[2])
B <- rake_wave(read_wave(args[3]), args[4])
for (l in c("Ja", "Nej")) compare("table1", "op_i_tid", l, "deltid")
for (l in c("Ja", "Nej")) compare("table5", "ned_i_tid", l, "fuldtid")
for (l in c("Ja", "Nej", "Ved ikke")) compare("mulighed", "mulighed", l, "alle")
for (l in c("Socialpædagoger og pæd.pers.døgninst.mv.", "Oms.- og pæd.medhj. samt pæd. ass., KL", "<NA>"))
  compare("table10", "overenskomst", l, "alle", missing_row = TRUE)
