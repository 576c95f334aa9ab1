# Reference values for tests/test_weighting.py, computed with R's survey package.
#   Rscript tests/r_reference/reference.R > tests/r_reference/reference_output.txt
# Reads sample.csv (written by make_sample.py). Respondents missing koen or timetal cannot be weighted:
# they are dropped before the design is built, which is what fuldtid does (weights NaN, "left out").
suppressMessages(library(survey))
cat("# survey", as.character(packageVersion("survey")), "/", R.version.string, "\n")
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
raw <- read.csv(file.path(here, "sample.csv"), na.strings = "", stringsAsFactors = FALSE,
                encoding = "UTF-8")
d <- raw[!is.na(raw$koen) & !is.na(raw$timetal), ]
d$N <- 1172
d$timetal3 <- ifelse(d$timetal %in% c("1-9 timer", "10-19 timer", "20-29 timer"), "Under 30 timer",
                     d$timetal)
d$deltid <- d$timetal != "37 timer"
d$mere <- d$op_i_tid == "Ja"
d$mulja <- d$mulighed == "Ja"
pop_koen <- data.frame(koen = c("Kvinde", "Mand"), Freq = c(832, 340))
pop_tid <- data.frame(timetal3 = c("Under 30 timer", "30-36 timer", "37 timer"), Freq = c(481, 386, 305))
pop_alder <- data.frame(alder = c("Under 40 år", "40-49 år", "50 år eller derover"), Freq = c(420, 352, 400))
d0 <- svydesign(ids = ~1, fpc = ~N, data = d)
cat("n", nrow(d), "\n")
# Raking is run to its fixed point (epsilon < 1 is relative to N), as fuldtid does.
tight <- list(maxit = 1000, epsilon = 1e-12)
g <- function(x) sprintf("%.15g", x)

show_weights <- function(tag, des, by) {
  w <- weights(des)
  key <- do.call(paste, c(d[by], sep = " / "))
  u <- tapply(w, key, function(v) { stopifnot(max(v) - min(v) < 1e-9 * max(v)); v[1] })
  for (k in names(u)) cat("weight", tag, k, g(u[[k]]), "\n")
}
show_prop <- function(tag, formula, des) {
  ci <- svyciprop(formula, des, method = "logit")
  num <- eval(bquote(~as.numeric(.(formula[[2]]))))
  m <- svymean(num, des, na.rm = TRUE)
  tot <- svytotal(num, des, na.rm = TRUE)
  cat("prop", tag, g(coef(ci)), g(attr(ci, "ci")[1]), g(attr(ci, "ci")[2]), g(SE(m)[1]),
      g(coef(tot)[1]), "df", degf(des), "\n")
}
show_chisq <- function(tag, formula, des) {
  t <- svychisq(formula, des, statistic = "F")
  cat("chisq", tag, g(t$statistic), g(t$parameter[1]), g(t$parameter[2]), g(t$p.value), "\n")
}

# 1. Post-stratification on hours only (one margin): only respondents missing hours are left out.
#    rake() with one margin and postStratify() agree.
dp <- raw[!is.na(raw$timetal), ]
dp$N <- 1172
dp$timetal3 <- ifelse(dp$timetal %in% c("1-9 timer", "10-19 timer", "20-29 timer"), "Under 30 timer",
                      dp$timetal)
dp$deltid <- dp$timetal != "37 timer"
dp$mere <- dp$op_i_tid == "Ja"
dp$mulja <- dp$mulighed == "Ja"
cat("n.ps", nrow(dp), "\n")
dp0 <- svydesign(ids = ~1, fpc = ~N, data = dp)
ps <- rake(dp0, list(~timetal3), list(pop_tid), control = tight)
ps2 <- postStratify(dp0, ~timetal3, pop_tid)
stopifnot(max(abs(weights(ps) - weights(ps2))) < 1e-9)
w <- tapply(weights(ps), dp$timetal3, function(v) v[1])
for (k in names(w)) cat("weight ps", k, g(w[[k]]), "\n")
show_prop("ps.mulja.answered", ~mulja, subset(ps, !is.na(mulighed)))
show_prop("ps2.mulja.answered", ~mulja, subset(ps2, !is.na(mulighed)))
show_prop("ps.mere.deltid", ~mere, subset(ps, deltid))

# 2. Raking to gender and hours.
rk <- rake(d0, list(~koen, ~timetal3), list(pop_koen, pop_tid), control = tight)
show_weights("rk", rk, c("koen", "timetal3"))
# Stopping at epsilon = 1e-6 (relative) leaves the weights about 1e-6 (relative) off the fixed point.
rk6 <- rake(d0, list(~koen, ~timetal3), list(pop_koen, pop_tid), control = list(maxit = 100, epsilon = 1e-6))
show_weights("rk.eps1e-6", rk6, c("koen", "timetal3"))
show_prop("rk.mulja.answered", ~mulja, subset(rk, !is.na(mulighed)))
show_prop("rk.mere.deltid", ~mere, subset(rk, deltid))
show_prop("rk.mere.deltid.mand", ~mere, subset(rk, deltid & koen == "Mand"))
show_prop("rk.mere.1-9", ~mere, subset(rk, timetal == "1-9 timer"))
# y missing inside the domain: svyglm drops those rows, but the df is that of the whole domain.
show_prop("rk.mulja.mand", ~mulja, subset(rk, koen == "Mand"))
show_prop("rk.deltid.all", ~deltid, rk)
show_chisq("rk.mulighed.timetal3", ~mulighed + timetal3, subset(rk, !is.na(mulighed)))
show_chisq("rk.mulighed.timetal3.nafull", ~mulighed + timetal3, rk)
show_chisq("rk.mulighed.koen.deltid", ~mulighed + koen, subset(rk, deltid & !is.na(mulighed)))
# op_i_tid is missing for all full-timers: R still builds the design effects on all five hour groups.
show_chisq("rk.op_i_tid.timetal", ~op_i_tid + timetal, rk)
show_chisq("rk.op_i_tid.timetal.deltid", ~op_i_tid + timetal, subset(rk, deltid))
# "37 timer" answered only outside the domain: R gives NaN; fuldtid tests the part-timers' hour groups,
# which is what R gives when hours outside the domain are blanked.
show_chisq("rk.mulighed.timetal.deltid", ~mulighed + timetal, subset(rk, deltid))
d$timetal_deltid <- ifelse(d$deltid, d$timetal, NA)
rkb <- rake(svydesign(ids = ~1, fpc = ~N, data = d), list(~koen, ~timetal3), list(pop_koen, pop_tid),
            control = tight)
show_chisq("rk.mulighed.timetal_deltid.deltid", ~mulighed + timetal_deltid, subset(rkb, deltid))
# A share of exactly 0 / 1 in a domain: R's glm lands a hair's breadth from the bound.
show_prop("rk.zero", ~I(mulighed == "Ingen"), subset(rk, !is.na(mulighed) & koen == "Mand"))
show_prop("rk.one", ~deltid, subset(rk, timetal3 == "Under 30 timer"))

# 3. Three margins: the variance projection is R's fixed 10 back-fitting sweeps, not an exact projection.
rk3 <- rake(d0, list(~koen, ~timetal3, ~alder), list(pop_koen, pop_tid, pop_alder),
            control = tight)
show_weights("rk3", rk3, c("koen", "timetal3", "alder"))
show_prop("rk3.mere.deltid", ~mere, subset(rk3, deltid))
show_prop("rk3.mulja.answered", ~mulja, subset(rk3, !is.na(mulighed)))
show_chisq("rk3.mulighed.alder", ~mulighed + alder, subset(rk3, !is.na(mulighed)))

# 4. Trimming: cap at K x mean weight with trimWeights(), rake again, until no weight exceeds the cap.
K <- 2
cap <- K * 1172 / nrow(d)
tr <- rk
rounds <- 0
while (max(weights(tr)) > cap * (1 + 1e-6)) {
  tr <- rake(trimWeights(tr, upper = cap), list(~koen, ~timetal3), list(pop_koen, pop_tid),
             control = tight)
  rounds <- rounds + 1
  if (rounds > 200) stop("trimming does not settle")
}
cat("trim rounds", rounds, "cap", g(cap), "\n")
show_weights("trim", tr, c("koen", "timetal3"))
show_prop("trim.mere.deltid", ~mere, subset(tr, deltid))
show_prop("trim.mulja.answered", ~mulja, subset(tr, !is.na(mulighed)))
show_chisq("trim.mulighed.koen", ~mulighed + koen, subset(tr, !is.na(mulighed)))
