from fangkong.core.registry import menu_for

from .roles import CAPABILITIES
from .scoping import active_assignments


def acting(request):
    """The signed-in user's assignments, capabilities (``my_capabilities``: a
    template asks ``{% if "<area>.<verb>" in my_capabilities %}``) and the menu
    entries the apps registered that those capabilities show."""
    user = getattr(request, "user", None)
    assignments = active_assignments(user) if user is not None else []
    caps = set()
    for a in assignments:
        caps |= CAPABILITIES[a.role]
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "my_assignments": assignments,
        "my_capabilities": frozenset(caps),
        "menu": menu_for(caps, signed_in=signed_in),
    }
