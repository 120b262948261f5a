"""Log records without private values: those a database error quotes, and
the query strings of the development server's request lines.

PostgreSQL puts the offending row in an error's message: "DETAIL:  Failing row
contains (…, Hugo Parra, …, <private notes>, …)", "DETAIL:  Key (x)=(…) already
exists", 'invalid input syntax for type date: "<what was typed>"'. A traceback
in the log would carry a person's name or an advocate's private notes with it.
"""

import logging
import re
from collections.abc import Mapping

from django.db import Error

# A quoted word in a database error names part of the schema when it follows
# one of these words; anything else quoted is a value.
SCHEMA_WORDS = {"relation", "constraint", "column", "table", "index", "type", "sequence", "schema"}
QUOTED = re.compile(r'(?:(\w+) )?"[^"]*"')
# 'invalid input syntax for type date: "…"': the value runs to the end of the
# line and may hold quotes of its own.
TRAILING_VALUE = re.compile(r': ".*$')
WITHHELD = "(withheld from the log)"
# "GET /cases/?q=Hugo+Parra HTTP/1.1": the query string, to the protocol.
QUERY_STRING = re.compile(r"\?.*?(?= HTTP/\S+$|$)")


def withhold_values(message):
    """The first line of a database error (what failed, on which constraint,
    column or relation) with every quoted value withheld; the DETAIL, HINT and
    CONTEXT lines after it are dropped."""
    first_line = TRAILING_VALUE.sub(f": {WITHHELD}", str(message).split("\n", 1)[0])

    def keep_names(match):
        word = match[1]
        if word in SCHEMA_WORDS:
            return match[0]
        return f"{word} {WITHHELD}" if word else WITHHELD

    return QUOTED.sub(keep_names, first_line)


class WithholdDatabaseValues(logging.Filter):
    """On a handler: every database error in a record (its traceback, its
    message or arguments) reduced to withhold_values()."""

    def filter(self, record):
        if isinstance(record.msg, Error):
            record.msg = withhold_values(record.msg)
        # "%s" arguments come as a tuple; "%(name)s" ones as the mapping passed.
        if isinstance(record.args, tuple):
            record.args = tuple(map(self.withhold, record.args))
        elif isinstance(record.args, Mapping):
            record.args = {key: self.withhold(arg) for key, arg in record.args.items()}
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.format_exception(record.exc_info)
        return True

    @staticmethod
    def withhold(arg):
        return withhold_values(arg) if isinstance(arg, Error) else arg

    @staticmethod
    def format_exception(exc_info):
        """The traceback as a handler's formatter writes it, from the same
        exceptions with their messages reduced for the time it takes: Django's
        database errors, and the driver's errors they carry as their cause
        (with the same message)."""
        chain, exc = [], exc_info[1]
        while exc is not None and exc not in chain:
            chain.append(exc)
            exc = exc.__cause__ or exc.__context__
        database = [exc for exc in chain if isinstance(exc, Error)]
        database += [exc.__cause__ for exc in database if exc.__cause__ is not None]
        saved = [(exc, exc.args) for exc in database]
        try:
            for exc, args in saved:
                exc.args = (withhold_values(args[0]),) if args else args
            return logging.Formatter().formatException(exc_info)
        finally:
            for exc, args in saved:
                exc.args = args


class WithoutQueryStrings(logging.Filter):
    """On the development server's handler: request lines without their query
    strings, where a search carries a person's name (the access records keep
    method and path only, for the same reason)."""

    def filter(self, record):
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (QUERY_STRING.sub("", record.args[0], count=1), *record.args[1:])
        return True
