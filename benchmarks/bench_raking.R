# R survey's raking on the sample bench_raking.py writes, for the time comparison (and a check that both
# give the same weights). Called by benchmarks/bench_raking.py:
#   Rscript bench_raking.R SAMPLE.csv MARGINS.csv N REPEAT WEIGHTS_OUT.csv
# SAMPLE.csv: one column per margin (labels), complete cases only. MARGINS.csv: variable,label,count.
# Prints the best of REPEAT timings of rake() alone (seconds), with the tolerance fuldtid uses (1e-6 of N).
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "character")
m <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
N <- as.numeric(args[3])
repeats <- as.integer(args[4])
d$w0 <- N / nrow(d)
d0 <- svydesign(ids = ~1, weights = ~w0, data = d)
vars <- unique(m$variable)
sample_margins <- lapply(vars, function(v) as.formula(paste0("~", v)))
pop_margins <- lapply(vars, function(v) {
  x <- m[m$variable == v, ]
  out <- data.frame(x$label, x$count)
  names(out) <- c(v, "Freq")
  out
})
best <- Inf
for (i in seq_len(repeats)) {
  t <- system.time(rk <- rake(d0, sample_margins, pop_margins,
                              control = list(maxit = 1000, epsilon = 1e-6)))[["elapsed"]]
  best <- min(best, t)
}
write.csv(data.frame(w = weights(rk)), args[5], row.names = FALSE)
cat(sprintf("%.4f\n", best))
