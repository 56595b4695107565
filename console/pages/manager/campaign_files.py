"""Manager pages: a campaign exported as a file (YAML or JSON) and a file imported into the
builder, the same files the command line reads."""

import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from starlette.datastructures import UploadFile as StarletteUpload

from campaigns.campaign_defs import parse_definition
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _, translate
from console.deps import DbId, ManagerUser, SessionDep
from console.pages.common import PageRoute, page_locale
from console.pages.manager.campaign_editor import builder_page, form_errors, stored_definition
from console.pages.manager.campaign_form import blank_definition

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

MAX_IMPORT_BYTES = 256 * 1024


@router.post("/campaigns/import")
def import_file(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A campaign file (YAML or JSON) opened in the builder, to check and save as a new draft."""
    upload = file
    locale = page_locale(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = blank_definition("")
    if not isinstance(upload, StarletteUpload):
        errors["general"] = translate(locale, _("Choose a YAML or JSON campaign file."))
    else:
        raw = upload.file.read(MAX_IMPORT_BYTES + 1)
        try:
            if len(raw) > MAX_IMPORT_BYTES:
                raise Invalid(
                    _("The file is larger than {size} KB."), size=MAX_IMPORT_BYTES // 1024
                )
            text = raw.decode("utf-8-sig")
            name = (upload.filename or "").lower()
            loaded = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
            if not isinstance(loaded, dict):
                raise Invalid(_("The file does not hold a campaign definition."))
            data = {**data, **loaded, "agents": loaded.get("agents") or []}
            parse_definition(data)
        except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
            errors["general"] = translate(
                locale, _("The file is not valid YAML or JSON: {error}"), error=str(error)[:200]
            )
        except AcuerdoError as error:
            errors.update(form_errors(error, locale))
    if not errors:
        errors["general"] = translate(
            locale, _("The file was read. Check the campaign below and save it as a draft.")
        )
    return builder_page(request, db, user, campaign_id=None, data=data, errors=errors)


@router.get("/campaigns/{campaign_id}/export")
def export_file(
    db: SessionDep, user: ManagerUser, campaign_id: DbId, format: str = "yaml"
) -> Response:
    """The campaign as a file the CLI and the import read (YAML, or JSON with format=json)."""
    data, _status = stored_definition(db, campaign_id)
    stem = "".join(ch if ch.isalnum() else "-" for ch in data["name"]).strip("-") or "campaign"
    if format == "json":
        body, kind, suffix = (
            json.dumps(data, ensure_ascii=False, indent=2),
            "application/json",
            "json",
        )
    else:
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        kind, suffix = "application/yaml", "yaml"
    return Response(
        body,
        media_type=f"{kind}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'},
    )
