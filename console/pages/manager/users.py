"""Manager pages: the people who sign in, their roles, and adding one."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns import users
from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Role, User, utcnow
from console.deps import ManagerUser, PostedForm, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


def _users_page(
    request: Request,
    db: Session,
    user: User,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/users.html",
        user=user,
        people=users.list_users(db),
        clients=list_clients(db),
        roles=list(Role),
        error=error,
        form=form or {},
        status_code=status_code,
    )


@router.get("/users")
def users_page(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """People who sign in, their roles, and a form to add one."""
    return _users_page(request, db, user)


@router.post("/users")
def add_user(request: Request, db: SessionDep, user: ManagerUser, form: PostedForm) -> Response:
    """Add a user with a role (client viewers belong to exactly one creditor)."""
    fields = {k: str(form.get(k) or "") for k in ("username", "full_name", "role", "locale")}
    try:
        if fields["role"] not in set(Role) or (
            fields["role"] == Role.ADMIN and user.role != Role.ADMIN
        ):
            raise Invalid(_("Choose one of the roles offered."))
        users.create_user(
            db,
            username=fields["username"].strip(),
            password=str(form.get("password") or ""),
            role=Role(fields["role"]),
            full_name=fields["full_name"].strip(),
            client_names=[str(c) for c in form.getlist("clients")],
            locale=fields["locale"] or "es_MX",
            now=utcnow(),
        )
    except AcuerdoError as error:
        db.rollback()
        return _users_page(
            request,
            db,
            user,
            error=error.render(page_locale(request)),
            form=fields,
            status_code=422,
        )
    return back_to("/manager/users")
