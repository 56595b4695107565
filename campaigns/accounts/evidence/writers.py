"""The evidence pack written out: one HTML report and one CSV per section, zipped."""

import html
import io
import zipfile

from campaigns.accounts.evidence.pack import EvidencePack
from campaigns.accounts.evidence.table import Section
from campaigns.i18n import _, translate
from campaigns.safe_export import SafeCsvWriter


def _csv(section: Section) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(section.headers)
    writer.writerows(section.rows)
    return out.getvalue()


def _html(pack: EvidencePack, locale: str) -> str:
    e = html.escape
    lang = locale.replace("_", "-")
    parts = [
        f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">',
        f"<title>{e(pack.title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:2em}th,td{border:1px solid #999;padding:4px 6px;vertical-align:top;"
        "text-align:left}th{background:#eee}</style></head><body>",
        f"<h1>{e(pack.title)}</h1><table>",
    ]
    parts += [f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in pack.summary]
    parts.append("</table>")
    for section in pack.sections:
        parts.append(f'<h2 id="{e(section.name)}">{e(section.title)} ({len(section.rows)})</h2>')
        if not section.rows:
            parts.append(f"<p>{e(translate(locale, _('None.')))}</p>")
            continue
        parts.append("<table><thead><tr>")
        parts += [f'<th scope="col">{e(h)}</th>' for h in section.headers]
        parts.append("</tr></thead><tbody>")
        for row in section.rows:
            parts.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def evidence_zip(pack: EvidencePack, locale: str) -> bytes:
    """The pack as a zip: report.html and one CSV (UTF-8 with BOM, for Excel) per section."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.html", _html(pack, locale))
        for section in pack.sections:
            archive.writestr(f"{section.name}.csv", "\ufeff" + _csv(section))
    return out.getvalue()
