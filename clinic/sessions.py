"""What a browser's session remembers of a record it has just sent, and for how long."""

import time

# The page after a form (a booking's confirmation, a data request's receipt)
# shows in the browser that sent it for this long; after that the patient has
# what they need in their email.
CONFIRMATION_SECONDS = 15 * 60


def remember_briefly(request, key, pk):
    """Keep which record this browser just sent, for CONFIRMATION_SECONDS: never anything about the patient."""
    request.session[key] = {"pk": pk, "until": time.time() + CONFIRMATION_SECONDS}


def recalled(request, key):
    """The pk remember_briefly kept, while it lasts."""
    kept = request.session.get(key)
    if not isinstance(kept, dict) or kept.get("until", 0) < time.time():
        request.session.pop(key, None)
        return None
    return kept.get("pk")
