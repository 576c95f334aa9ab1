# Reference values for the tests of cross tables 11-14 as published (tests/test_table_tests.py).
#   python tests/r_reference/make_table_tests.py
#   Rscript tests/r_reference/table_tests.R > tests/r_reference/table_tests_output.txt
# table_tests.csv holds, per answered respondent of surveys/examples/vjh_2022, the published row of each
# cross table at --min-group 1 and 5 (g<table>_<min group>; empty: counted in no shown row, or in the
# "not stated" row) and the answer (a<table>_<min group>). The design is vjh_example.R's.
suppressMessages(library(survey))
cat("# survey", as.character(packageVersion("survey")), "/", R.version.string, "\n")
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
ex <- file.path(here, "..", "..", "surveys", "examples", "vjh_2022")
all <- read.csv(file.path(here, "table_tests.csv"), na.strings = "", colClasses = "character",
                encoding = "UTF-8", check.names = FALSE)
popfile <- read.csv(file.path(ex, "population.csv"), sep = ";", fileEncoding = "UTF-8", colClasses = "character")
d <- all[!is.na(all$koen) & !is.na(all$timetal), ]
d$N <- sum(as.numeric(popfile$antal[popfile$variabel == "koen"]))
d$timetal3 <- ifelse(d$timetal %in% c("1-9 timer", "10-19 timer", "20-29 timer"), "Under 30 timer", d$timetal)
pop_koen <- data.frame(koen = popfile$kategori[popfile$variabel == "koen"],
                       Freq = as.numeric(popfile$antal[popfile$variabel == "koen"]))
pop_tid <- data.frame(timetal3 = popfile$kategori[popfile$variabel == "timetal"],
                      Freq = as.numeric(popfile$antal[popfile$variabel == "timetal"]))
rk <- rake(svydesign(ids = ~1, fpc = ~N, data = d), list(~koen, ~timetal3), list(pop_koen, pop_tid),
           control = list(maxit = 1000, epsilon = 1e-12))
g <- function(x) sprintf("%.15g", x)
for (mg in c(1, 5)) for (tab in 11:14) {
  gv <- paste0("g", tab, "_", mg); av <- paste0("a", tab, "_", mg)
  # Unweighted: the published counts (all answered respondents, also those without a weight).
  x <- table(all[[gv]], all[[av]])
  x <- x[rowSums(x) > 0, colSums(x) > 0, drop = FALSE]
  if (nrow(x) < 2) { cat("none", tab, mg, "\n"); next }  # one published group: nothing to compare
  e <- outer(rowSums(x), colSums(x)) / sum(x)
  if (all(dim(x) == 2)) {
    cat("fisher", tab, mg, g(fisher.test(x)$p.value), "\n")
  } else if (any(e < 5)) {
    ft <- tryCatch(fisher.test(x, workspace = 2e8)$p.value, error = function(err) NA)
    cat("fisher.rxc", tab, mg, g(ft), "\n")
  } else {
    ct <- suppressWarnings(chisq.test(x, correct = FALSE))
    cat("chisq", tab, mg, g(ct$statistic), g(ct$parameter), g(ct$p.value), "\n")
  }
  # Weighted: svychisq(~g + a, subset(rk, !is.na(g)), statistic = "F")
  t <- svychisq(as.formula(paste0("~`", gv, "` + `", av, "`")), subset(rk, !is.na(d[[gv]])), statistic = "F")
  cat("svychisq", tab, mg, g(t$statistic), g(t$parameter[1]), g(t$parameter[2]), g(t$p.value), "\n")
}
# The memo's figures: groups x (answer compared or not), as the bars are published.
for (mg in c(1, 5)) for (f in c(1, 3)) {
  gv <- paste0("fig", f, "_", mg); yv <- paste0("y", f, "_", mg)
  x <- table(all[[gv]], all[[yv]])
  e <- outer(rowSums(x), colSums(x)) / sum(x)
  p <- if (any(e < 5)) fisher.test(x, workspace = 2e8)$p.value else chisq.test(x, correct = FALSE)$p.value
  t <- svychisq(as.formula(paste0("~`", gv, "` + `", yv, "`")), subset(rk, !is.na(d[[gv]])), statistic = "F")
  cat("figure", f, mg, "unweighted", g(p), "svychisq", g(t$statistic), g(t$parameter[1]), g(t$p.value), "\n")
}
