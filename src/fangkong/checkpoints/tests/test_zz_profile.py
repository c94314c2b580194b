import cProfile, pstats, time
from django.urls import reverse
from .test_pages import form

def test_profile(client, checkpoint_staff, qibin_checkpoint):
    client.force_login(checkpoint_staff)
    url = reverse("checkpoints:register", args=[qibin_checkpoint.pk])
    client.post(url, form())
    forms = [form() for _ in range(100)]
    pr = cProfile.Profile()
    pr.enable()
    t = time.perf_counter()
    for f in forms:
        client.post(url, f)
    el = time.perf_counter() - t
    pr.disable()
    print("ms/req", el / 100 * 1000)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
