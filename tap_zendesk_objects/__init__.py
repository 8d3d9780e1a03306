"""tap_zendesk_objects: importing it first registers the lean SDK import (lean_imports.py)."""

from tap_zendesk_objects import lean_imports

lean_imports.install()
