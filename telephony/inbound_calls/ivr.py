"""The inbound call's menus as TwiML: short, courteous, in the creditor's language."""

from twilio.twiml.voice_response import Gather, VoiceResponse

from campaigns.i18n import _, normalise_locale, translate
from campaigns.settings import get_settings
from telephony.voice import SAY_LANGUAGE

HOLD_MUSIC = "/static/audio/hold.wav"
MENU_TIMEOUT_SECONDS = 6


def url(step: str, **query: int | str) -> str:
    """The absolute URL of an IVR step (Twilio signs the full URL, query included)."""
    base = get_settings().public_base_url.rstrip("/")
    tail = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{base}/twilio/voice/inbound/{step}" + (f"?{tail}" if tail else "")


def language(locale: str) -> str:
    """The <Say> language of a locale (Latin-American Spanish unless US Spanish or English)."""
    return SAY_LANGUAGE.get(normalise_locale(locale), "es-MX")


class Speech:
    """A TwiML response that speaks one locale's translations."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.response = VoiceResponse()

    def text(self, message: str, **params: object) -> str:
        return translate(self.locale, message, **params)

    def say(self, message: str, **params: object) -> "Speech":
        self.response.say(self.text(message, **params), language=language(self.locale))
        return self

    def gather(self, action: str, *messages: str, digits: int = 1, **params: object) -> "Speech":
        gather = Gather(
            action=action,
            method="POST",
            num_digits=digits,
            timeout=MENU_TIMEOUT_SECONDS,
            action_on_empty_result=True,
        )
        for message in messages:
            gather.say(self.text(message, **params), language=language(self.locale))
        self.response.append(gather)
        return self

    def redirect(self, target: str) -> "Speech":
        self.response.redirect(target, method="POST")
        return self

    def hang_up(self) -> "Speech":
        self.response.hangup()
        return self

    def __str__(self) -> str:
        return str(self.response)


def unknown_number(locale: str) -> str:
    """A call to a number no creditor uses."""
    return str(
        Speech(locale).say(_("We are sorry, this number does not take calls. Goodbye.")).hang_up()
    )


def ask_account(locale: str, *, creditor: str, client_id: int, tries: int) -> str:
    """Ask the caller for the account number or document number by keypad."""
    speech = Speech(locale)
    if tries == 0:
        speech.say(_("Thank you for calling {creditor}."), creditor=creditor)
    return str(
        speech.gather(
            url("lookup", client=client_id, tries=tries),
            _("Please type your account number or your document number, followed by the hash key."),
            digits=20,
        )
    )


def not_found(locale: str) -> str:
    """The caller could not be matched to an account: where to go next."""
    return str(
        Speech(locale)
        .say(
            _(
                "We could not find your account. Please check the number on your statement "
                "and call us again. Thank you, goodbye."
            )
        )
        .hang_up()
    )


def menu(
    locale: str, *, creditor: str, attempt_id: int, after_hours: bool, hours: str, first: bool
) -> str:
    """The main menu: an advisor (or a callback after hours), the balance, the link by SMS."""
    speech = Speech(locale)
    if first:
        speech.say(_("Thank you for calling {creditor}."), creditor=creditor)
    if after_hours:
        speech.say(_("Our advisors are not available now. They will answer {hours}."), hours=hours)
        first_option = _("For an advisor to call you back then, press 1.")
    else:
        first_option = _("To speak with an advisor, press 1.")
    return str(
        speech.gather(
            url("choice", attempt=attempt_id),
            first_option,
            _("To hear your balance, press 2."),
            _("To receive a link by text message to pay or make an arrangement, press 3."),
        )
    )


def back_to_menu(speech: Speech, attempt_id: int) -> str:
    """End a step by returning to the menu."""
    return str(speech.redirect(url("menu", attempt=attempt_id)))


def invalid_choice(locale: str, attempt_id: int) -> str:
    """A key the menu does not offer."""
    return back_to_menu(Speech(locale).say(_("That option is not available.")), attempt_id)


def ask_document(locale: str, attempt_id: int) -> str:
    """Ask for the last 4 digits of the holder's document before saying the balance."""
    return str(
        Speech(locale).gather(
            url("verify", attempt=attempt_id),
            _("For your security, type the last 4 digits of your identity document."),
            digits=4,
        )
    )


def balance(locale: str, attempt_id: int, *, amount: str) -> str:
    """The balance, said after the document was verified."""
    speech = Speech(locale).say(_("Your balance is {amount}."), amount=amount)
    return back_to_menu(speech, attempt_id)


def verification_failed(locale: str, attempt_id: int, *, locked: bool) -> str:
    """The digits did not match (and, past the limit, the IVR stops asking)."""
    speech = Speech(locale)
    if locked:
        speech.say(
            _(
                "We cannot verify your identity by phone now. "
                "An advisor can help you: press 1 at the menu."
            )
        )
    else:
        speech.say(_("The digits do not match our records."))
    return back_to_menu(speech, attempt_id)


def link_sent(locale: str, attempt_id: int, *, sent: bool) -> str:
    """Confirm the SMS (or say why it could not go)."""
    speech = Speech(locale)
    if sent:
        speech.say(_("We have sent you a text message. Thank you."))
    else:
        speech.say(_("We can only send the message to a number on file. An advisor can help you."))
    return back_to_menu(speech, attempt_id)


def callback_recorded(locale: str, *, when: str | None) -> str:
    """The callback request is recorded (or could not be, with no moment allowed soon)."""
    speech = Speech(locale)
    if when:
        speech.say(_("An advisor will call you back {when}. Thank you, goodbye."), when=when)
    else:
        speech.say(_("We could not schedule a callback. Please call us again. Goodbye."))
    return str(speech.hang_up())


def goodbye(locale: str) -> str:
    """The caller did not choose (after hours): a courteous end."""
    return str(Speech(locale).say(_("Thank you for calling. Goodbye.")).hang_up())


def hold(locale: str, attempt_id: int, *, position: int, offers: int, offer_callback: bool) -> str:
    """Waiting for an advisor: the place in the queue, hold music, and perhaps a callback offer."""
    speech = Speech(locale)
    speech.say(
        _("You are number {position} in line. An advisor will be with you shortly."),
        position=position,
    )
    base = get_settings().public_base_url.rstrip("/")
    if offer_callback:
        speech.gather(
            url("offer", attempt=attempt_id, offers=offers + 1),
            _("To have an advisor call you back instead of waiting, press 1."),
        )
        offers += 1
    speech.response.play(f"{base}{HOLD_MUSIC}")
    return str(speech.redirect(url("wait", attempt=attempt_id, offers=offers)))
