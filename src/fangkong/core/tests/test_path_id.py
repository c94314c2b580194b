"""core.api_errors.path_id: an id in a URL path past what a row can have is a
404 (malformed, not missing), never a database error."""

import pytest
from django.http import Http404

from fangkong.core.api_errors import MAX_ID, path_id


def test_an_id_a_row_can_have_passes():
    assert path_id(1) == 1 and path_id(MAX_ID) == MAX_ID


@pytest.mark.parametrize("pk", [0, -1, MAX_ID + 1, 2**64])
def test_an_id_no_row_can_have_is_a_404(pk):
    with pytest.raises(Http404):
        path_id(pk)
