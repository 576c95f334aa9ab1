import io

from fuldtid.progress import TerminalProgress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    p = TerminalProgress(total=3, stream=stream, delay=0)
    p("reading the export")
    p.close()
    assert stream.getvalue() == ""


def test_progress_draws_and_clears_on_a_terminal_after_the_delay():
    stream = FakeTTY()
    p = TerminalProgress(total=2, stream=stream, delay=0)
    p("reading the export")
    p("computing the tables")
    assert "[##########----------] computing the tables" in stream.getvalue()
    p.close()
    assert stream.getvalue().endswith("\r")


def test_progress_waits_before_showing_anything():
    stream = FakeTTY()
    p = TerminalProgress(total=2, stream=stream, delay=60)
    p("reading the export")
    p.close()
    assert stream.getvalue() == ""
