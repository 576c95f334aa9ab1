# Reference values for the shipped example surveys/examples/vjh_2022, raked to its population.csv.
#   Rscript tests/r_reference/vjh_example.R > tests/r_reference/vjh_example_output.txt
# Reads the export with plain R (cp1252, ';'): answered = statoverall_3 or statoverall_4 is 1; codes
# are turned into labels with labels.csv. Respondents without gender or hours are left out.
suppressMessages(library(survey))
cat("# survey", as.character(packageVersion("survey")), "/", R.version.string, "\n")
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
ex <- file.path(here, "..", "..", "surveys", "examples", "vjh_2022")
ds <- read.csv(file.path(ex, "export", "dataset.csv"), sep = ";", fileEncoding = "CP1252",
               colClasses = "character", na.strings = "", check.names = FALSE)
lab <- read.csv(file.path(ex, "export", "labels.csv"), sep = ";", header = FALSE, fileEncoding = "CP1252",
                colClasses = "character")
decode <- function(var) { l <- lab[lab$V1 == var, ]; l$V3[match(ds[[var]], l$V2)] }
answered <- ds$statoverall_3 %in% "1" | ds$statoverall_4 %in% "1"
all <- data.frame(respondentid = ds$respondentid, koen = decode("s_1"), timetal = decode("s_6"),
                  op_i_tid = decode("s_7"), mulighed = decode("s_15"), tilbud = as.integer(ds$s_5),
                  stringsAsFactors = FALSE)[answered, ]
cat("answered", nrow(all), "\n")
popfile <- read.csv(file.path(ex, "population.csv"), sep = ";", fileEncoding = "UTF-8",
                    colClasses = "character")
d <- all[!is.na(all$koen) & !is.na(all$timetal), ]
cat("weighted", nrow(d), "left out", nrow(all) - nrow(d), "\n")
d$N <- sum(as.numeric(popfile$antal[popfile$variabel == "koen"]))
d$timetal3 <- ifelse(d$timetal %in% c("1-9 timer", "10-19 timer", "20-29 timer"), "Under 30 timer",
                     d$timetal)
d$deltid <- d$timetal != "37 timer"
d$omraade <- ifelse(is.na(d$tilbud), NA, ifelse(d$tilbud <= 3, "Rådgivning og Visitation", "Resterende tilbud"))
pop_koen <- data.frame(koen = popfile$kategori[popfile$variabel == "koen"],
                       Freq = as.numeric(popfile$antal[popfile$variabel == "koen"]))
pop_tid <- data.frame(timetal3 = popfile$kategori[popfile$variabel == "timetal"],
                      Freq = as.numeric(popfile$antal[popfile$variabel == "timetal"]))
print(pop_koen); print(pop_tid)
d0 <- svydesign(ids = ~1, fpc = ~N, data = d)
rk <- rake(d0, list(~koen, ~timetal3), list(pop_koen, pop_tid), control = list(maxit = 1000, epsilon = 1e-12))
g <- function(x) sprintf("%.15g", x)
w <- weights(rk)
key <- paste(d$koen, d$timetal3, sep = " / ")
for (k in sort(unique(key))) cat("weight", k, g(w[key == k][1]), "\n")
w <- weights(rk); cat("kish", g(sum(w)^2 / sum(w^2)), "\n")
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
# Part-timers who answered s_7: share wanting more hours (the memo's weighted example sentence).
show_prop("op.deltid", ~I(op_i_tid == "Ja"), subset(rk, deltid & !is.na(op_i_tid)))
for (h in c("1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer"))
  show_prop(paste0("op.", h), ~I(op_i_tid == "Ja"), subset(rk, timetal == h & !is.na(op_i_tid)))
show_prop("mulighed.ja", ~I(mulighed == "Ja"), subset(rk, !is.na(mulighed)))
show_prop("mulighed.nej", ~I(mulighed == "Nej"), subset(rk, !is.na(mulighed)))
show_prop("kvinde", ~I(koen == "Kvinde"), rk)
show_chisq("mulighed.timetal", ~mulighed + timetal, subset(rk, !is.na(mulighed)))
show_chisq("op.omraade", ~op_i_tid + omraade, subset(rk, deltid))
show_chisq("op.timetal", ~op_i_tid + timetal, rk)
