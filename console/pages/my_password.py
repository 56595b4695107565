"""The signed-in user's own account: choosing a new password (required after a reset)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaigns import users
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Role, utcnow
from console.deps import CurrentUser, PostedForm, SessionDep
from console.pages.common import HOME_BY_ROLE, PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/account", route_class=PageRoute, include_in_schema=False)


@router.get("/password")
def password_page(request: Request, user: CurrentUser) -> Response:
    """The form to choose a new password."""
    return render(request, "account_password.html", user=user, error="")


@router.post("/password")
def change_password(
    request: Request, db: SessionDep, user: CurrentUser, form: PostedForm
) -> Response:
    """Replace the password after checking the current one; then the start page."""
    new = str(form.get("new_password") or "")
    try:
        if new != str(form.get("confirm_password") or ""):
            raise Invalid(_("The two new passwords are not the same."))
        users.change_own_password(
            db, user=user, current=str(form.get("current_password") or ""), new=new, now=utcnow()
        )
    except AcuerdoError as error:
        db.rollback()
        return render(
            request,
            "account_password.html",
            user=user,
            error=error.render(page_locale(request)),
            status_code=422,
        )
    db.commit()
    return back_to(HOME_BY_ROLE[Role(user.role)])
