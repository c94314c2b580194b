from .roles import AUDIT_VIEW, PEOPLE_EDIT, PEOPLE_VIEW, CAPABILITIES
from .roles import CHECKPOINTS_VIEW
from .roles import SCREENING_VIEW
from .roles import FOLLOWUPS_VIEW
from .scoping import active_assignments


def acting(request):
    """The signed-in user's assignments and capabilities, for menus."""
    user = getattr(request, "user", None)
    assignments = active_assignments(user) if user is not None else []
    caps = set()
    for a in assignments:
        caps |= CAPABILITIES[a.role]
    return {
        "my_assignments": assignments,
        "can": {
            "people": PEOPLE_VIEW in caps,
            "people_edit": PEOPLE_EDIT in caps,
            "audit": AUDIT_VIEW in caps,
            "divisions": bool(assignments),
            "screening": SCREENING_VIEW in caps,
            "checkpoints": CHECKPOINTS_VIEW in caps,
            "followups": FOLLOWUPS_VIEW in caps,
        },
    }
