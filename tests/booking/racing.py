"""Many requests at once: each attempt in its own thread and database connection, all released together."""

import threading
from collections import Counter

from django.db import connection


def race(attempt, arguments, answers):
    """Counter of what `attempt(*args)` came to for each args, run at the same moment.

    `attempt` returns its outcome's name; an exception named in `answers`
    ({TimeTaken: "taken"}) counts as that clear answer, any other as
    "error: …" so the test's assertion shows it.
    """
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(args):
        try:
            barrier.wait(timeout=30)
            outcomes.append(attempt(*args))
        except tuple(answers) as error:
            outcomes.append(next(name for kind, name in answers.items() if isinstance(error, kind)))
        except Exception as error:  # anything else is a failure the test reports
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes)
