"""Follow-ups (隔离与健康监测): anyone under a measure — home or central
quarantine, health monitoring, medical observation — with their scheduled
health checks, the fever-clinic referrals abnormal checks raise, and care
deliveries.

Interfaces other apps use:

* ``services.followup_start(*, user, person, kind, reason, place="", site_name="",
  start_date=None, days=None, source_ref="", request=None) -> FollowUp`` —
  screening (returnee confirmation) and medical (close contacts) call it.
  ``days`` defaults to the MeasurePolicy of the kind (HQ edits it at
  /followups/policy/; 14 when unset). Check windows: FANGKONG_CHECK_WINDOWS
  (setting or environment), default ``07:00-12:00,14:00-19:00``.
* ``services.referral_pick_up`` / ``services.referral_close`` — the medical
  module takes over a referral (capability ``referrals.pick_up``).
* ``selectors.followup_counts(*, prefix, day)`` (unscoped, for roll-up jobs) and
  ``selectors.followup_counts_for_user(*, user, prefix, day)`` — exact counts
  for the command level; ``manage.py followups_recount`` rebuilds the roll-up.
* ``selectors.overdue_checks(*, user, division="")``, ``check_list``,
  ``followup_list``, ``referral_list``, ``delivery_list``.
* Approval kinds ``quarantine_release`` (two-person release), ``followup_weaken``
  (a transfer to a lighter measure or an earlier end) and ``followup_central``
  (a second person confirms a centralized quarantine within
  FANGKONG_CENTRAL_APPROVAL_HOURS, default 24); see ``measures``.
  ``followup_start(..., approval=...)`` takes an approved request that already
  decided a centralized quarantine (screening's stricter measure).
* API: /api/v1/followups (``/counts?division=``, as every filter names it);
  pages: /followups/ (today page: /followups/today/).
"""
