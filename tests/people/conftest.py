from tests.projects.conftest import project  # noqa: F401 - a request led by Claire (`member`)
