"""The ``fuldtid`` command line: a thin layer over the library, one public function per command.

Longer than 500 lines: ten commands of a few lines each (options, one library call, the terminal summary),
with the options and error handling they share defined once here; split by command they would be scattered.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

# One BLAS thread unless the user says otherwise; set before numpy is first imported. The matrices here
# are small (a few hundred rows at most), and OpenBLAS's threads only cost: on a busy two-core machine
# the anonymity check's eigh calls took twice as long with them (issue 18). One thread also makes the
# last digits of the JSON floats the same on machines with different numbers of cores. Not OMP_NUM_THREADS:
# OpenBLAS reads its own variable first, and pyarrow sizes the thread pool of its CSV reader by OMP_NUM_THREADS
# (with it at 1 a 10^6-row Dataset parsed in 2.7 s instead of 0.75 s on two cores).
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import click

from fuldtid.errors import SurveyError
from fuldtid.personal import mask_quoted

if TYPE_CHECKING:
    import datetime as dt

    from fuldtid.render.docx_look import DocumentInfo

_F = TypeVar("_F", bound=Callable[..., Any])

EXPORT_HELP = "EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav."


class FuldtidGroup(click.Group):
    """Turns user errors into a short message and a non-zero exit, in one place (``-v`` shows the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:  # Any: what the command returns, as click.Group.invoke
        raw = getattr(ctx, "_protected_args", None)
        args = [*(ctx.protected_args if raw is None else raw), *ctx.args]
        if any(a in ("-h", "--help") for a in args):  # a command's help: no export is read
            return self._invoke(ctx, contextlib.nullcontext())
        from fuldtid.read.exportfiles import unzip_ahead

        # A large zip export given on the command line starts unpacking now, while the imports run.
        for arg in args:
            unzip_ahead(arg)
        import pandas as pd  # every command reads an export, so this costs nothing extra

        # pandas 3 keeps text in pyarrow arrays whenever pyarrow is installed (it is, for the CSV reader): a
        # 10^6-row report then took 2.3 s and 180 MB more than with Python strings (issue 18). Set for the command
        # only, so a program that calls cli() keeps its own setting.
        return self._invoke(ctx, pd.option_context("mode.string_storage", "python"))

    def _invoke(self, ctx: click.Context, setting: contextlib.AbstractContextManager) -> Any:
        try:
            with setting:
                return super().invoke(ctx)
        except SurveyError as exc:
            if ctx.meta.get("fuldtid.verbose"):
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; no output was written half-way") from None
        except OSError as exc:  # the disk, a permission, a vanished file: the environment, not a bug
            if ctx.meta.get("fuldtid.verbose"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["fuldtid.verbose"] = True
    return value


verbose_option = click.option(
    "-v", "--verbose", is_flag=True, expose_value=False, is_eager=True, callback=_set_verbose,
    help="Show the full traceback on errors.",
)
export_argument = click.argument("export", type=click.Path(path_type=Path))
survey_option = click.option(
    "--survey", "survey", metavar="DEF", default=None,
    help="Survey definition (YAML). Default: the shipped VJH definition.",
)
coding_option = click.option(
    "--coding", type=click.Path(path_type=Path), default=None,
    help="Coding file of the open answers (CSV or XLSX: respondentid, variabel, kategori[, citat]).",
)
population_option = click.option(
    "--population", type=click.Path(path_type=Path), default=None,
    help="Population file (variabel;kategori;antal;omfatter) to weight the answers to.",
)
min_group_option = click.option(
    "--min-group", type=click.IntRange(min=1), default=None,
    help="Anonymity threshold: groups smaller than this show no counts. Default: the survey definition's (5). "
    "Use 1 to show every count, as the 2022 memo did.",
)

docx_template_option = click.option(
    "--docx-template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="A .docx whose styles, header and footer the Word document uses (your letterhead).",
)
date_option = click.option(
    "--date", "doc_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
    help="The document's date (front block and document properties). Default: the day of the last answer.",
)
author_option = click.option(
    "--author", default=None, metavar="NAME",
    help="Sagsbehandler: shown in the front block and as the document's author. Default: the organisation.",
)
recipient_option = click.option(
    "--recipient", default=None, metavar="TEXT", help="Who the document is for (front block), e.g. 'MED-udvalget'.",
)


def document_options(f: _F) -> _F:
    """--docx-template, --date, --author and --recipient: how the documents look and whom they are from and for."""
    for option in (recipient_option, author_option, date_option, docx_template_option):
        f = option(f)
    return f


def _info(doc_date: dt.datetime | None, author: str | None, recipient: str | None) -> DocumentInfo:
    from fuldtid.render.docx_look import DocumentInfo

    return DocumentInfo(doc_date.date() if doc_date is not None else None, author or None, recipient or None)


def _size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    from fuldtid.read.limits import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(cls=FuldtidGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fuldtid")
@verbose_option
@click.option("--max-size", metavar="SIZE", callback=_size, default=None,
              help="Largest unpacked size of one input table, e.g. 500MB (default 256MB).")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Most rows of one input table (default 1,000,000).")
@click.option("--max-cells", type=click.IntRange(min=1), default=None,
              help="Most cells (rows x columns) of one input table (default 5,000,000).")
@click.pass_context
def cli(ctx: click.Context, max_size: int | None, max_rows: int | None, max_cells: int | None) -> None:
    """fuldtid: from a SurveyXact export of a working-time questionnaire to the memo (notat).

    Start with `fuldtid validate EXPORT`, then `fuldtid report EXPORT --out DIR`. For another
    questionnaire, first draft its definition: `fuldtid init EXPORT --out survey.yaml`, then add
    `--survey survey.yaml`.

    Inputs larger than the limits are refused before they are read (a damaged or hostile file cannot
    exhaust the memory); raise them with the options below for a genuinely larger export.
    """
    from fuldtid.read.limits import current, using

    ctx.with_resource(using(current().with_(max_size=max_size, max_rows=max_rows, max_cells=max_cells)))


@cli.command()
@export_argument
@survey_option
@coding_option
@population_option
@click.option("--trim", type=click.FloatRange(min=1, min_open=True), default=None,
              help="Cap weights at K times the mean weight, then rake again.")
@min_group_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("rapport"), show_default=True,
              help="Folder to write the outputs to.")
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Comma-separated formats among json, xlsx, docx, html. Default: all.")
@click.option("--intro", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The memo's introduction, a Markdown file (default: a neutral text).")
@click.option("--conclusion", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The memo's conclusion, a Markdown file (default: a neutral text).")
@click.option("--previous", type=click.Path(path_type=Path), default=None, metavar="EXPORT_A",
              help="The previous wave's export: the memo gets a section on the development since then.")
@click.option("--previous-coding", type=click.Path(path_type=Path), default=None,
              help="With --previous: the previous wave's coding file.")
@click.option("--previous-population", type=click.Path(path_type=Path), default=None,
              help="With --previous: the previous wave's population file (with --population, the changes are "
              "judged on the weighted shares).")
@document_options
@verbose_option
def report(export: Path, survey: str | None, coding: Path | None, population: Path | None, trim: float | None,
           min_group: int | None, out_dir: Path, formats: str | None, intro: Path | None,
           conclusion: Path | None, previous: Path | None, previous_coding: Path | None,
           previous_population: Path | None, docx_template: Path | None, doc_date: dt.datetime | None, author: str | None,
           recipient: str | None) -> None:
    """Write the tables (tables.json, tabeller.xlsx) and the memo for EXPORT.

    EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav.
    """
    from fuldtid.progress import TerminalProgress
    from fuldtid.report import FORMATS, analyse, summary, write_report

    chosen = _formats(formats, FORMATS)
    from fuldtid.outputs import guard_folder
    from fuldtid.report import FILENAMES

    guard_folder(out_dir, [FILENAMES[f] for f in chosen] + (["udvikling.json"] if previous and "json" in chosen else []),
                 _inputs(export, survey, coding=coding, population=population, intro=intro,
                         conclusion=conclusion, docx_template=docx_template, previous_export=previous,
                         previous_coding=previous_coding, previous_population=previous_population))
    if {"docx", "html"} & set(chosen):
        _warm_up_plotting()
    if previous is None and (previous_coding is not None or previous_population is not None):
        raise click.UsageError("--previous-coding and --previous-population need --previous EXPORT_A")
    progress = TerminalProgress(total=6 + len(chosen) + (6 if previous is not None else 0))
    comparison_json = None
    try:
        tableset = analyse(export, survey=survey, coding=coding, population=population, min_group=min_group,
                           trim=trim, progress=progress)
        if previous is not None:
            from fuldtid.stats.compare import compare_waves
            from fuldtid.render.compare_memo import with_comparison
            from fuldtid.render.compare_render import comparison_json as render_comparison_json

            before = analyse(previous, survey=survey, coding=previous_coding, population=previous_population,
                             min_group=min_group, trim=trim, progress=progress)
            tableset = with_comparison(tableset, compare_waves(before, tableset))
            if "json" in chosen:
                comparison_json = render_comparison_json(tableset.extra["comparison"])
        options = _memo_options(intro, conclusion, docx_template)
        options["info"] = _info(doc_date, author, recipient)
        extra = {"udvikling.json": comparison_json} if comparison_json is not None else None
        written = write_report(tableset, out_dir, chosen, progress=progress, extra=extra, **options)
    finally:
        progress.close()
    click.echo(mask_quoted(str(summary(tableset, written))))
    if previous is not None:
        from fuldtid.render.compare_memo import comparison_summary

        click.echo(mask_quoted(comparison_summary(tableset.extra["comparison"])))


@cli.command()
@export_argument
@survey_option
@coding_option
@population_option
@min_group_option
@click.option("--table", "numbers", type=int, multiple=True, help="Only these table numbers (repeatable).")
@verbose_option
def tables(export: Path, survey: str | None, coding: Path | None, population: Path | None,
           min_group: int | None, numbers: tuple[int, ...]) -> None:
    """Print the tables of EXPORT readably in the terminal.

    EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav.
    """
    from fuldtid.render.grid import render_text
    from fuldtid.report import analyse

    tableset = analyse(export, survey=survey, coding=coding, population=population, min_group=min_group)
    available = sorted({t.number for t in tableset.tables} | {spec.number for spec in tableset.pending})
    unknown = sorted(set(numbers) - set(available))
    if unknown:
        raise click.BadParameter(f"no table {', '.join(map(str, unknown))}; the tables are "
                                 f"{', '.join(map(str, available))}", param_hint="--table")
    blocks = [render_text(t) for t in tableset.tables if not numbers or t.number in numbers]
    for spec in tableset.pending:
        if not numbers or spec.number in numbers:
            blocks.append(f"Tabel {spec.number}: {spec.title}\n(awaits coding of the open answers: pass --coding)")
    click.echo("\n\n".join(blocks))


@cli.command()
@export_argument
@survey_option
@coding_option
@population_option
@verbose_option
def validate(export: Path, survey: str | None, coding: Path | None, population: Path | None) -> None:
    """Check EXPORT against the survey definition without producing tables.

    Says what was found: rows, answered, response rate, which question matched which field, notes on
    routing and codes, problems in the coding file and, with --population, whether the population file
    fits the export (categories, counts, weighting). Exits with 1 when a problem was found.
    """
    from fuldtid.validation import validate as run_validation

    result = run_validation(export, survey=survey, coding=coding, population=population)
    click.echo(mask_quoted(str(result)))
    if not result.ok:
        sys.exit(1)


@cli.command()
@export_argument
@click.option("--question", required=True, metavar="FIELD", help="The single-choice question to break down, e.g. op_i_tid.")
@click.option("--by", "by", required=True, multiple=True, metavar="FIELD",
              help="Field to break down by, e.g. omraade or overenskomst; give it twice to nest.")
@click.option("--among", default=None, metavar="GROUP",
              help="Respondents to include: deltid, fuldtid, alle (or another group of the definition). "
              "Default: the question's own routing (op_i_tid -> deltid).")
@survey_option
@population_option
@click.option("--trim", type=click.FloatRange(min=1, min_open=True), default=None,
              help="With --population: cap weights at K times the mean weight.")
@min_group_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write to a file: .csv, .json, .xlsx, .docx or .html. Default: print a table.")
@document_options
@verbose_option
def breakdown(export: Path, question: str, by: tuple[str, ...], among: str | None, survey: str | None,
              population: Path | None, trim: float | None, min_group: int | None, out: Path | None,
              docx_template: Path | None, doc_date: dt.datetime | None, author: str | None, recipient: str | None) -> None:
    """Break a question down by one or two fields, with small groups hidden and a test of difference.

    EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav.

    Example: fuldtid breakdown EXPORT --question op_i_tid --by overenskomst
    """
    from fuldtid.stats.breakdown import run_breakdown
    from fuldtid.render.breakdown_render import breakdown_text, write_breakdown

    if out is not None:
        _guard(out, _inputs(export, survey, population=population))
    result = run_breakdown(export, question, by, survey=survey, among=among, population=population,
                           min_group=min_group, trim=trim)
    if out is None:
        click.echo(breakdown_text(result))
    else:
        written = write_breakdown(result, out, docx_template=docx_template, info=_info(doc_date, author, recipient))
        click.echo(f"Wrote {written}")


@cli.command()
@export_argument
@click.option("--population", type=click.Path(path_type=Path), required=True,
              help="Population file (variabel;kategori;antal;omfatter), e.g. from the HR register.")
@survey_option
@click.option("--trim", type=click.FloatRange(min=1, min_open=True), default=None,
              help="Cap weights at K times the mean weight, then rake again.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write respondentid,weight to this CSV file (weights add up to the population size).")
@verbose_option
def weights(export: Path, population: Path, survey: str | None, trim: float | None, out: Path | None) -> None:
    """Rake the answers of EXPORT to the population's margins and print the diagnostics.

    EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav.
    """
    from fuldtid.model.survey import load_survey
    from fuldtid.stats.weighted import describe_weights, weigh_survey

    if out is not None:
        _guard(out, _inputs(export, survey, population=population))
    s = load_survey(export, survey)
    w = weigh_survey(s, population, trim=trim)
    click.echo(describe_weights(w))
    if out is not None:
        from fuldtid.atomic import atomic_path
        from fuldtid.stats.weighting import weights_to_csv

        with atomic_path(out) as tmp:
            weights_to_csv(w, tmp)
        click.echo(f"Wrote {out}")


@cli.command()
@click.argument("export_a", type=click.Path(path_type=Path))
@click.argument("export_b", type=click.Path(path_type=Path))
@click.option("--coding", "codings", type=click.Path(path_type=Path), multiple=True,
              help="Coding file of each wave, given twice in the order of the exports (optional).")
@click.option("--population", "populations", type=click.Path(path_type=Path), multiple=True,
              help="Population file of each wave, given twice in the order of the exports: each wave is "
              "weighted to its own, and the weighted shares are compared too.")
@survey_option
@click.option("--trim", type=click.FloatRange(min=1, min_open=True), default=None,
              help="With --population: cap weights at K times the mean weight.")
@min_group_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write to a file: .json, .xlsx, .docx or .html. Default: print the comparison.")
@verbose_option
def compare(export_a: Path, export_b: Path, codings: tuple[Path, ...], populations: tuple[Path, ...],
            survey: str | None, trim: float | None, min_group: int | None, out: Path | None) -> None:
    """Compare two waves of the questionnaire: EXPORT_A the earlier, EXPORT_B the later.

    Every single-choice table and figure question, answer by answer: both waves' counts and shares, the
    change in percentage points, Fisher's exact test and, with --population for both, the change of the
    weighted shares with its 95% interval. Questions are matched by their text; small groups stay hidden.

    Example: fuldtid compare 2022/export 2024/export --population pop2022.csv --population pop2024.csv
    """
    from fuldtid.stats.compare import compare_exports
    from fuldtid.render.compare_render import EXTENSIONS, comparison_text, write_comparison

    if out is not None and out.suffix.lower() not in (*EXTENSIONS, ".htm"):
        raise click.BadParameter(f"{out}: unknown output type {out.suffix or '(none)'!r}; use one of "
                                 f"{', '.join(EXTENSIONS)}", param_hint="--out")
    for name, given in (("--coding", codings), ("--population", populations)):
        if len(given) not in (0, 2):
            raise click.BadParameter(f"give {name} twice, once per export in the order of the exports "
                                     f"(got {len(given)})", param_hint=name)
    if out is not None:
        waves = {f"{role} of wave {i}": path for role, given in (("coding file", codings),
                 ("population file", populations)) for i, path in enumerate(given, start=1)}
        _guard(out, {**_inputs(export_a, survey, second_export=export_b), **waves})
    result = compare_exports(export_a, export_b, survey=survey, coding=tuple(codings) or (None, None),
                             population=tuple(populations) or (None, None), min_group=min_group, trim=trim)
    if out is None:
        click.echo(comparison_text(result))
    else:
        click.echo(f"Wrote {write_comparison(result, out)}")


@cli.command("coding-sheet")
@export_argument
@survey_option
@click.option("--coding", "existing", type=click.Path(path_type=Path), default=None,
              help="An existing coding file: answers already coded keep their codes.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="The coding sheet to write (.xlsx). Required unless --evaluate is given.")
@click.option("--evaluate", "evaluate_coding", type=click.Path(path_type=Path), default=None, metavar="CODING",
              help="Instead: compare the keyword suggestions with this finished coding and print precision and coverage.")
@verbose_option
def coding_sheet(export: Path, survey: str | None, existing: Path | None, out: Path | None,
                 evaluate_coding: Path | None) -> None:
    """Write a coding sheet (XLSX) of the open answers, with suggested categories.

    EXPORT is a SurveyXact export: a folder or .zip with the CSV trio, an .xlsx workbook or an SPSS .sav.
    Fill in the kategori column, then pass the sheet to `fuldtid report EXPORT --coding SHEET`.
    The sheet holds the raw answers (personal data): keep it internal.
    """
    from fuldtid.model.coding import read_coding
    from fuldtid.model.survey import load_survey

    if out is not None:
        _guard(out, _inputs(export, survey, coding=existing, evaluated_coding=evaluate_coding))
    s = load_survey(export, survey)
    if evaluate_coding is not None:
        from fuldtid.stats.suggest import evaluate

        click.echo(str(evaluate(s, read_coding(evaluate_coding, s))))
        if out is None:
            return
    if out is None:
        raise click.UsageError("give --out sheet.xlsx (or --evaluate CODING)")
    from fuldtid.atomic import write_bytes
    from fuldtid.render.codingsheet import coding_sheet as make_sheet

    codes = read_coding(existing, s) if existing is not None else None
    write_bytes(out, make_sheet(s, codes))
    from fuldtid.model.definition import survey_option_text

    click.echo(f"Wrote {out}: fill in 'kategori', then run fuldtid report {export}"
               f"{survey_option_text(s.definition)} --coding {out}")


@cli.command()
@export_argument
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The survey definition to write (.yaml).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@verbose_option
def init(export: Path, out: Path, force: bool) -> None:
    """Draft a survey definition for EXPORT from the export alone.

    Every closed question gets a table, open questions are listed for coding, background questions
    (department, age, ...) are proposed for breakdowns. The draft runs as it is with
    `fuldtid report EXPORT --survey OUT`; then edit it (docs/survey-definition.md describes the format).
    """
    from fuldtid.model.draft import write_draft
    from fuldtid.errors import OutputError
    from fuldtid.read.export import read_export

    if out.exists() and not force:
        raise OutputError(f"{out}: exists already; give another --out, or --force to overwrite it.")
    target, source = out.resolve(), Path(export).resolve()
    if target == source or (source.is_dir() and source in target.parents and target.suffix.lower() == ".csv"):
        raise OutputError(f"{out}: that is (part of) the export itself; give another --out.")
    _guard(out, _inputs(export, None))
    exp = read_export(export)
    write_draft(exp, out)
    if exp.numbered:
        click.echo(f"Note: {export} has no respondentid column; its rows are numbered 1-{exp.distributed}.")
    click.echo(f"Wrote {out}: the draft definition. Next: fuldtid report {export} --survey {out}")


def _inputs(export: Path, survey: str | None, **files: Path | None) -> dict[str, Path | None]:
    """Every file a command reads, by role, for the check that no output lands on one."""
    found: dict[str, Path | None] = {"export": export}
    if survey is not None and Path(survey).exists():
        found["survey definition"] = Path(survey)
    for role, path in files.items():
        found[role.replace("_", " ") + ("" if role in ("intro", "conclusion") or role.endswith("export")
                                        else " file")] = path
    return found


def _guard(out: Path, inputs: dict[str, Path | None]) -> None:
    from fuldtid.outputs import guard

    guard([out], inputs)


def _warm_up_plotting() -> None:
    """Import plotnine in the background while the export is read: the memo's figures need it, and the
    import is a second of the run. Failures are left for the figure code to report."""
    import threading

    from fuldtid.render.figures import warm_up

    def run() -> None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - reported where the figures are drawn
            pass

    threading.Thread(target=run, name="fuldtid-warm-up", daemon=True).start()


def _memo_options(intro: Path | None, conclusion: Path | None, docx_template: Path | None) -> dict[str, Any]:
    def read(p: Path | None) -> str | None:
        if p is None:
            return None
        from fuldtid.read.tabular import decode
        from fuldtid.read.textsniff import clean_text

        # BOMs, UTF-8, a UTF-8 file with stray bytes (an error naming the line) or cp1252, as for side files.
        return clean_text(decode(p.read_bytes(), p, SurveyError))

    return {"intro": read(intro), "conclusion": read(conclusion), "docx_template": docx_template}


def _formats(value: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        return allowed
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(allowed)}",
                                 param_hint="--format")
    return chosen


def main() -> None:
    cli(prog_name="fuldtid")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
