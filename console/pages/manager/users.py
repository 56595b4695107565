"""Manager pages: the people who sign in, their roles; adding, editing, disabling one and
resetting a password."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns import users
from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Role, User, utcnow
from console.deps import DbId, ManagerUser, PostedForm, SessionDep
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


def _edit_page(
    request: Request,
    db: Session,
    user: User,
    person: User,
    *,
    error: str = "",
    temporary_password: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/user_edit.html",
        user=user,
        person=person,
        person_clients=users.client_names_of(db, person),
        clients=list_clients(db),
        roles=list(Role),
        error=error,
        temporary_password=temporary_password,
        status_code=status_code,
    )


@router.get("/users/{user_id}")
def edit_user_page(request: Request, db: SessionDep, user: ManagerUser, user_id: DbId) -> Response:
    """One user: role, creditors, enable or disable, reset the password."""
    person = users.user_to_manage(db, user_id=user_id, by=user)
    return _edit_page(request, db, user, person)


@router.post("/users/{user_id}")
def edit_user(
    request: Request, db: SessionDep, user: ManagerUser, user_id: DbId, form: PostedForm
) -> Response:
    """Save a user's name, role and creditors."""
    role = str(form.get("role") or "")
    try:
        if role not in set(Role):
            raise Invalid(_("Choose one of the roles offered."))
        users.update_user(
            db,
            user_id=user_id,
            full_name=str(form.get("full_name") or ""),
            role=Role(role),
            client_names=[str(c) for c in form.getlist("clients")],
            by=user,
            now=utcnow(),
        )
    except AcuerdoError as error:
        if error.status_code in (403, 404):
            raise
        db.rollback()
        person = users.user_to_manage(db, user_id=user_id, by=user)
        return _edit_page(
            request, db, user, person, error=error.render(page_locale(request)), status_code=422
        )
    db.commit()
    return back_to("/manager/users")


@router.post("/users/{user_id}/active")
def set_active(
    request: Request, db: SessionDep, user: ManagerUser, user_id: DbId, form: PostedForm
) -> Response:
    """Enable or disable a user; a disabled user is signed out everywhere at once."""
    try:
        users.set_active(
            db, user_id=user_id, active=form.get("active") == "1", by=user, now=utcnow()
        )
    except AcuerdoError as error:
        if error.status_code in (403, 404):
            raise
        db.rollback()
        person = users.user_to_manage(db, user_id=user_id, by=user)
        return _edit_page(
            request, db, user, person, error=error.render(page_locale(request)), status_code=422
        )
    db.commit()
    return back_to(f"/manager/users/{user_id}")


@router.post("/users/{user_id}/password")
def reset_password(request: Request, db: SessionDep, user: ManagerUser, user_id: DbId) -> Response:
    """Give the user a temporary password, shown once; they must change it at sign-in."""
    password = users.reset_password(db, user_id=user_id, by=user, now=utcnow())
    db.commit()
    person = users.user_to_manage(db, user_id=user_id, by=user)
    return _edit_page(request, db, user, person, temporary_password=password)
