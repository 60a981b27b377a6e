"""Catalogue of notebook 06's exercises (behaviour 76 of the reference): a write-only device
whose NULL slots the C side answers; what a NULL `open` means (do_dentry_open)."""

from kernelptr.course import checks

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


class LogFile:
    def open(self):
        return 0

    def write(self, data):
        return len(data)


def test_write_only_right_answer_passes():
    verdict = passes(checks.ex06_write_only, LogFile)
    assert "NULL in ioctl, read" in verdict.message
    starter_asks_for_an_answer(checks.ex06_write_only, value=True)


def test_write_only_pasted_read_only_file_from_above_is_refused():
    class RandomFile:
        def open(self):
            return 0

        def read(self, n):
            return bytes(range(n))

    hint(checks.ex06_write_only, RandomFile, "defines read")


def test_write_only_a_stub_returning_an_error_still_fills_the_slot():
    class Stub(LogFile):
        def read(self, n):
            return -22

    hint(checks.ex06_write_only, Stub, "defines read", "even one that only returns an error")


def test_write_only_inherited_methods_are_not_in_the_impl():
    class Inherits(LogFile):
        pass

    hint(checks.ex06_write_only, Inherits, "must define open, write", "inherited")


def test_write_only_hard_wired_length():
    class Five:
        def open(self):
            return 0

        def write(self, data):
            return 5

    hint(checks.ex06_write_only, Five, "writing 11 bytes returned 5")


def test_null_open_right_answer_passes():
    passes(checks.ex06_null_open, 0)
    starter_asks_for_an_answer(checks.ex06_null_open, value=True)


def test_null_open_the_value_printed_for_write_escalates_to_the_answer():
    first = hint(checks.ex06_null_open, -22, "vfs_write")
    assert "0" not in first.message.replace("-22", "")
    hint(checks.ex06_null_open, -22, "do_dentry_open")
    hint(checks.ex06_null_open, -22, "the answer is 0")


def test_null_open_positive_code_and_other_guesses():
    hint(checks.ex06_null_open, 22, "negative error codes")
    hint(checks.ex06_null_open, "0", "a number")
