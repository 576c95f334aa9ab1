# Reference values for the Korn-Graubard ("beta") intervals and the design-based group comparisons
# (tests/test_intervals.py), computed with R's survey package on the sample of reference.R.
#   Rscript tests/r_reference/beta.R > tests/r_reference/beta_output.txt
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
d$mulnej <- d$mulighed == "Nej"
pop_koen <- data.frame(koen = c("Kvinde", "Mand"), Freq = c(832, 340))
pop_tid <- data.frame(timetal3 = c("Under 30 timer", "30-36 timer", "37 timer"), Freq = c(481, 386, 305))
d0 <- svydesign(ids = ~1, fpc = ~N, data = d)
tight <- list(maxit = 1000, epsilon = 1e-12)
g <- function(x) sprintf("%.15g", x)
rk <- rake(d0, list(~koen, ~timetal3), list(pop_koen, pop_tid), control = tight)
cat("n", nrow(d), "\n")

show_beta <- function(tag, formula, des) {
  ci <- svyciprop(formula, des, method = "beta", na.rm = TRUE)
  cat("beta", tag, g(coef(ci)), g(attr(ci, "ci")[1]), g(attr(ci, "ci")[2]), "nrow", nrow(des),
      "df", degf(des), "\n")
}
show_beta("rk.mulja.answered", ~mulja, subset(rk, !is.na(mulighed)))
show_beta("rk.mere.deltid", ~mere, subset(rk, deltid))
show_beta("rk.mere.deltid.mand", ~mere, subset(rk, deltid & koen == "Mand"))
show_beta("rk.mere.1-9", ~mere, subset(rk, timetal == "1-9 timer"))
# Two respondents in the domain, one of each answer.
two <- which(d$timetal == "1-9 timer" & !is.na(d$op_i_tid))
two <- c(two[d$op_i_tid[two] == "Ja"][1], two[d$op_i_tid[two] == "Nej"][1])
d$two <- seq_len(nrow(d)) %in% two
rk2 <- rake(svydesign(ids = ~1, fpc = ~N, data = d), list(~koen, ~timetal3), list(pop_koen, pop_tid),
            control = tight)
show_beta("rk.mere.two", ~mere, subset(rk2, two))
# Edge cases where R's variance is 0 and svyciprop(method = "beta") returns NaN: fuldtid takes the
# design effect as 1 there (n* = respondents in the domain) and applies R's df adjustment, i.e.
#   qbeta(0.975, 1, n.eff) with n.eff = n * (qt(0.025, nrow - 1) / qt(0.025, n - 1))^2.
edge <- function(tag, n, nrow) {
  n.eff <- n * (qt(0.025, nrow - 1) / qt(0.025, n - 1))^2
  cat("edge", tag, "n", n, "nrow", nrow, "n.eff", g(n.eff), "zero.upper", g(qbeta(0.975, 1, n.eff)),
      "all.lower", g(qbeta(0.025, n.eff, 1)), "\n")
}
zero <- subset(rk, !is.na(mulighed) & koen == "Mand")
cat("zero.R", g(attr(svyciprop(~I(mulighed == "Ingen"), zero, method = "beta", na.rm = TRUE), "ci")), "\n")
edge("zero.mand", sum(!is.na(d$mulighed) & d$koen == "Mand"), nrow(d))
edge("one.under30", sum(d$timetal3 == "Under 30 timer"), nrow(d))
edge("30of400", 30, 400)
# binom.test: the same without the df adjustment (nrow = n), e.g. 0 of 30: 0-11.57%.
cat("binom 0 30", g(binom.test(0, 30)$conf.int), "\n")

# Group against the rest of the domain, weighted (the breakdown's marks): a z test of the difference
# from the linearised covariance, as
#   b <- svyby(~mulnej, ~ingroup, subset(rk, !is.na(mulighed)), svymean, covmat = TRUE, na.rm = TRUE)
#   svycontrast(b, c(-1, 1))
show_diff <- function(tag, y, group, value, des) {
  # y is NA only outside the domain (des is a subset); 0 there keeps svyby's bookkeeping simple.
  des <- update(des, ingroup = factor(get(group) == value, levels = c(FALSE, TRUE)),
                yy = ifelse(is.na(get(y)), 0, as.numeric(get(y))))
  m <- svyglm(yy ~ ingroup, des)  # the slope is the group's share minus the rest's
  est <- coef(m)[2]
  se <- SE(m)[2]
  z <- est / se
  cat("diff", tag, g(coef(m)[1] + est), g(coef(m)[1]), g(est), g(se), g(z), g(2 * pnorm(-abs(z))), "\n")
}
ans <- subset(rk, !is.na(mulighed))
for (v in c("1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"))
  show_diff(paste0("mulnej.timetal.", v), "mulnej", "timetal", v, ans)
show_diff("mulnej.koen.Kvinde", "mulnej", "koen", "Kvinde", ans)
