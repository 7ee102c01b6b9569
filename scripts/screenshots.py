"""Take the screenshots of the user guides in docs/ (run: python scripts/screenshots.py).

Builds a scratch Minka with the demonstration cooperative (var dir under
/tmp, never the real database), serves it with a task worker beside it (for
the statements printed in the background), and photographs the pages each
guide talks about with Debian's Chromium, in Spanish.

``python scripts/screenshots.py certificacion`` takes only the certification
pictures (portal, documents, verification, printing), on a fresh demo too; ``inicio`` only the
administrator's home page; ``cabina`` a booth and a member voting from home in a hybrid assembly;
``inclusion`` the inclusion figures, the Development Plan and the offices.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
PORT = int(os.environ.get("MINKA_SHOTS_PORT", "8765"))  # another port when 8765 is taken
BASE = f"http://127.0.0.1:{PORT}"
ENV: dict = {}  # the scratch Minka's environment, for the steps that set up data of their own
PASSWORDS: dict = {}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def main(steps):
    var = Path(tempfile.mkdtemp(prefix="minka-shots-"))
    # Documents printed by the worker carry a QR to MINKA_PUBLIC_URL: this server, not the default.
    env = {**os.environ, "MINKA_VAR_DIR": str(var), "MINKA_PUBLIC_URL": BASE}
    # The demonstration signs in with passwords only, as quickstart's demo does (no authenticator here).
    env["MINKA_TWO_FACTOR"] = "0"
    env.pop("DATABASE_URL", None)
    env.pop("MINKA_TASKS", None)
    manage(env, "quickstart", "--no-serve")
    lines = (var / "demo_logins.txt").read_text(encoding="utf-8").splitlines()
    passwords = dict(line.split("\t") for line in lines if line and not line.startswith("#"))
    ENV.update(env)
    PASSWORDS.update(passwords)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # --no-reload: a worker restarting on someone's code edit would drop the print run being shot.
    with (var / "db_worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(600):  # up to two minutes on a busy machine
            try:
                urllib.request.urlopen(f"{BASE}/salud/", timeout=1)  # noqa: S310 - our local server
                break
            except OSError:
                time.sleep(0.2)
        shoot(passwords, steps)
    finally:
        worker.terminate()
        server.terminate()


def shoot(passwords, steps=()):
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        def session(username):
            context = browser.new_context(locale="es-PE", viewport={"width": 1200, "height": 800})
            page = context.new_page()
            page.goto(f"{BASE}/cuenta/entrar/")
            if username is None:
                return page
            page.fill("#id_username", username)
            page.fill("#id_password", passwords[username])
            page.click("button[type=submit]")
            page.wait_for_url(f"{BASE}/")
            return page

        if steps:  # only the steps named on the command line
            if "inicio" in steps:
                session("admin").screenshot(path=OUT / "inicio-administrador.png", full_page=True)
            if "certificacion" in steps:
                shoot_certification(session("certificador"), session("tesorero"), session("acopiador"))
            if "socio" in steps:
                shoot_member_edit(session("admin"))
            if "inclusion" in steps:
                shoot_inclusion_and_plan(session("admin"), session("consejo"))
            if "cabina" in steps:
                shoot_booth_and_home(browser, session("consejo"), session("acopiador"))
            browser.close()
            print("Capturas en", OUT)
            return

        page = session(None)
        page.screenshot(path=OUT / "entrar.png")

        page = session("admin")
        page.screenshot(path=OUT / "inicio-administrador.png", full_page=True)
        page.goto(f"{BASE}/padron/socios/")
        page.screenshot(path=OUT / "padron-lista.png")
        page.fill("input[name=q]", "Tapullima")
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state()
        page.screenshot(path=OUT / "padron-busqueda.png")
        page.click("table tbody tr a")
        page.wait_for_load_state()
        page.screenshot(path=OUT / "socio-ficha.png", full_page=True)

        shoot_member_edit(session("admin"))

        page.goto(f"{BASE}/padron/importar/")
        page.set_input_files("input[type=file]", str(ROOT / "samples" / "padron_con_errores.csv"))
        page.click("text=Revisar archivo")
        page.wait_for_load_state()
        page.screenshot(path=OUT / "importar-errores.png", full_page=True)
        page.goto(f"{BASE}/padron/importar/")
        page.set_input_files("input[type=file]", str(ROOT / "samples" / "padron_chazuta.xlsx"))
        page.click("text=Revisar archivo")
        page.wait_for_load_state()
        page.screenshot(path=OUT / "importar-revision.png", full_page=True)

        shoot_acopio(session("acopiador"), session("admin"))
        shoot_fund(session("admin"), session("tesorero"))
        shoot_assemblies(session("consejo"), session("acopiador"))
        shoot_inclusion_and_plan(session("admin"), session("consejo"))
        shoot_booth_and_home(browser, session("consejo"), session("acopiador"))
        shoot_certification(session("certificador"), session("tesorero"), session("acopiador"))

        for username, name in (
            ("acopiador", "acopiador"),
            ("consejo", "consejo"),
            ("vigilancia", "vigilancia"),
            ("certificador", "certificador"),
        ):
            page = session(username)
            page.goto(f"{BASE}/padron/socios/")
            page.screenshot(path=OUT / f"padron-{name}.png")
        browser.close()
    print("Capturas en", OUT)


def shoot_member_edit(admin):
    """The member edit page as it opens, and refusing an ambiguous area under its box."""
    admin.goto(f"{BASE}/padron/socios/CHZ-00012/editar/")
    admin.screenshot(path=OUT / "socio-editar.png", full_page=True)
    admin.fill("#id_phone", "942 555 101")
    admin.fill("#id_parcelas-0-total_area_ha", "2,500")
    admin.click("text=Guardar cambios")
    admin.wait_for_load_state()
    admin.locator("#id_parcelas-0-total_area_ha").scroll_into_view_if_needed()
    admin.screenshot(path=OUT / "socio-editar-error.png")


def shoot_acopio(clerk, admin):
    """The clerk's page with a delivery typed in, its receipt and PDFs, lists, the member's account."""
    clerk.goto(f"{BASE}/acopio/")
    clerk.fill("#id_member", "CHZ-00012")
    clerk.wait_for_selector("#id_plot")
    clerk.select_option("#id_plot", index=1)
    clerk.select_option("#id_form", "dry")
    clerk.fill("#id_gross", "62,5")
    clerk.fill("#id_tare", "0,5")
    clerk.fill("#id_moisture", "7,2")
    clerk.wait_for_selector(".quote-figures")
    clerk.screenshot(path=OUT / "acopio-registrar.png", full_page=True)
    clerk.press("#id_moisture", "Enter")
    clerk.wait_for_url("**/acopio/recibos/**")
    clerk.screenshot(path=OUT / "acopio-recibo.png", full_page=True)
    receipt_url = clerk.url
    for size in ("a6", "ticket"):
        pdf = clerk.request.get(f"{receipt_url}{size}.pdf").body()
        target = OUT / f"recibo-{size}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-singlefile", "-", str(target)], input=pdf, check=True
        )
    clerk.goto(f"{BASE}/acopio/entregas/")
    clerk.screenshot(path=OUT / "acopio-entregas.png")

    admin.goto(receipt_url)
    admin.screenshot(path=OUT / "acopio-recibo-administrador.png", full_page=True)
    admin.goto(f"{BASE}/acopio/control-rendimiento/")
    admin.screenshot(path=OUT / "acopio-control-interno.png")
    admin.goto(f"{BASE}/padron/socios/CHZ-00012/")
    admin.locator("#cuenta").screenshot(path=OUT / "socio-cuenta.png")
    admin.goto(f"{BASE}/cuentas/CHZ-00012/movimiento/")
    admin.screenshot(path=OUT / "cuenta-movimiento.png")
    admin.goto(f"{BASE}/ventas/contratos/")
    admin.screenshot(path=OUT / "ventas-contratos.png")
    admin.goto(f"{BASE}/ventas/lotes/nuevo/")
    admin.fill("#code", "L-PRUEBA")
    admin.select_option("#claim", "ft_org")
    admin.fill("textarea[name=receipts]", "C01-000001, C02-000002")
    admin.click("text=Armar lote >> nth=-1")
    admin.wait_for_load_state()
    admin.screenshot(path=OUT / "ventas-armar-lote.png", full_page=True)
    admin.goto(f"{BASE}/ventas/balance-de-masas/")
    admin.screenshot(path=OUT / "ventas-balance-de-masas.png")
    admin.goto(f"{BASE}/acopio/importar/")
    admin.set_input_files("input[type=file]", str(ROOT / "samples" / "entregas_con_errores.csv"))
    admin.click("text=Revisar el archivo")
    admin.wait_for_load_state()
    admin.screenshot(path=OUT / "acopio-importar-errores.png", full_page=True)


def shoot_fund(admin, treasurer):
    """The premium fund page, a refused spending form, and a spending awaiting the treasurer."""
    admin.goto(f"{BASE}/fondo-prima/")
    admin.screenshot(path=OUT / "fondo-prima.png", full_page=True)
    admin.goto(f"{BASE}/fondo-prima/gastos/nuevo/")
    admin.select_option("#id_line", index=1)
    admin.fill("#id_amount", "999999")
    admin.fill("#id_document", "F001-000777")
    admin.fill("#id_document_date", "2026-11-02")
    admin.fill("#id_description", "Calaminas para la secadora")
    admin.fill("#id_supplier", "Ferretería El Constructor SAC")
    admin.fill("#id_ruc", "20451178230")
    admin.click("text=Registrar >> nth=-1")
    admin.wait_for_load_state()
    admin.screenshot(path=OUT / "fondo-gasto-errores.png", full_page=True)
    treasurer.goto(f"{BASE}/fondo-prima/")
    treasurer.click("#gastos >> text=Pendiente de aprobación >> xpath=ancestor::tr//a")
    treasurer.wait_for_load_state()
    treasurer.screenshot(path=OUT / "fondo-gasto-aprobar.png", full_page=True)


def shoot_assemblies(board, clerk):
    """Assembly list, the closed 2026 assembly with its budget and election, the desk, quorum, acta."""
    board.goto(f"{BASE}/asambleas/")
    board.screenshot(path=OUT / "asambleas-lista.png")
    board.click("a:has-text('Asamblea General Extraordinaria')")
    board.wait_for_load_state()
    upcoming = board.url
    board.goto(f"{BASE}/asambleas/")
    board.click("a:has-text('21/03/2026')")
    board.wait_for_load_state()
    closed = board.url
    board.screenshot(path=OUT / "asamblea-cerrada.png", full_page=True)
    board.click("a:has-text('Plan de Desarrollo con la prima')")
    board.wait_for_load_state()
    board.screenshot(path=OUT / "asamblea-presupuesto.png", full_page=True)
    board.goto(closed)
    board.click("a:has-text('Elección del Comité de Educación')")
    board.wait_for_load_state()
    board.screenshot(path=OUT / "asamblea-eleccion.png", full_page=True)
    with tempfile.TemporaryDirectory() as scratch:
        pdf = Path(scratch) / "acta.pdf"
        pdf.write_bytes(board.request.get(f"{closed}acta.pdf").body())
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(OUT / "acta"),
            ],
            check=True,
        )

    # The registration desk of the assembly convened for today: a code + Enter checks in, a name lists.
    clerk.goto(upcoming)
    clerk.click("text=Mesa de registro")
    clerk.wait_for_load_state()
    desk = clerk.url
    clerk.fill("#id_q", "Tapullima")
    clerk.press("#id_q", "Enter")
    clerk.wait_for_selector("#resultados")
    codes = clerk.locator("#resultados tbody tr td:first-child").all_inner_texts()
    clerk.goto(desk)
    clerk.fill("#id_q", codes[0])
    clerk.press("#id_q", "Enter")
    clerk.wait_for_selector("text=Asistencia registrada")
    if len(codes) > 1:  # the second one sends a proxy letter with the first
        clerk.goto(f"{desk}?q={codes[1]}")
        clerk.fill("#resultados input[name=holder]", codes[0])
        clerk.fill("#resultados input[name=letter]", "CP-014")
        clerk.click("#resultados button[value=proxy]")
        clerk.wait_for_selector("text=Poder registrado")
    clerk.goto(desk)
    clerk.fill("#id_q", "Tapullima")
    clerk.press("#id_q", "Enter")
    clerk.wait_for_selector("#resultados")
    clerk.screenshot(path=OUT / "asamblea-mesa.png", full_page=True)

    board.goto(upcoming)
    board.click("text=Quórum en vivo")
    board.wait_for_selector("#quorum")
    board.screenshot(path=OUT / "asamblea-quorum.png")


def shoot_inclusion_and_plan(admin, board):
    """Inclusion figures of the 2025 season, the 2025 Development Plan and who holds office today."""
    admin.goto(f"{BASE}/certificacion/inclusion/?campana=2025")
    admin.screenshot(path=OUT / "inclusion.png", full_page=True)
    board.goto(f"{BASE}/fondo-prima/plan/2025/")
    board.screenshot(path=OUT / "plan-de-desarrollo.png", full_page=True)
    board.goto(f"{BASE}/asambleas/cargos/")
    board.screenshot(path=OUT / "cargos-directivos.png", full_page=True)


HYBRID_SETUP = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from assemblies import services
board = get_user_model().objects.get(username="consejo")
now = timezone.now()
assembly = services.convene_assembly(
    kind="extraordinary", mode="hybrid", place="Local comunal de Chazuta",
    link="https://reunion.example.org/asamblea-chazuta",
    first_call_at=now - timedelta(hours=2), second_call_at=now - timedelta(hours=1),
    agenda="1. Afiliación a la central regional de cooperativas",
    cutoff_date=timezone.localdate() - timedelta(days=30),
    convened_on=timezone.localdate() - timedelta(days=20), user=board)
entries = list(assembly.roll.order_by("position"))
home, present = entries[-1], entries[: len(entries) * 2 // 3]
codes = dict((entry.pk, code) for entry, code in services.issue_remote_codes(assembly=assembly, user=board))
for entry in present:
    services.check_in(assembly=assembly, entry=entry, user=board)
services.open_session(assembly=assembly, call="second", user=board)
motion = services.draft_motion(
    assembly=assembly, kind="resolution", title="Afiliación a la central regional de cooperativas",
    majority="simple", method="electronic", secret=True, user=board)
services.open_motion(motion=motion, user=board)
print(json.dumps({"assembly": assembly.pk, "voter": present[0].member.code,
                  "home_dni": home.member.dni, "home_code": codes[home.pk]}))
"""


def shoot_booth_and_home(browser, board, clerk):
    """A hybrid assembly in session: the booth a member votes in, and the page a member votes on
    from home with DNI and voting code."""
    import json

    facts = json.loads(manage(ENV, "shell", "-c", HYBRID_SETUP).strip().splitlines()[-1])
    desk = f"{BASE}/asambleas/{facts['assembly']}/registro/"
    booth_context = browser.new_context(locale="es-PE", viewport={"width": 1024, "height": 768})
    booth = booth_context.new_page()  # a device of its own: opening the booth signs its user out
    booth.goto(f"{BASE}/cuenta/entrar/")
    booth.fill("#id_username", "consejo")
    booth.fill("#id_password", PASSWORDS["consejo"])
    booth.click("button[type=submit]")
    booth.wait_for_url(f"{BASE}/")
    booth.goto(desk)
    booth.once("dialog", lambda dialog: dialog.accept())
    booth.click("text=Abrir cabina en este equipo")
    booth.wait_for_url(f"{BASE}/cabina/")
    booth.screenshot(path=OUT / "cabina-espera.png")
    clerk.goto(desk)
    clerk.fill("#id_person", facts["voter"])
    clerk.click("#desbloquear button[type=submit]")
    clerk.wait_for_selector(".messages li.success")
    clerk.screenshot(path=OUT / "cabina-mesa-desbloquear.png")
    booth.wait_for_selector(f"text={facts['voter']}", timeout=30_000)
    booth.screenshot(path=OUT / "cabina-cedula.png")
    booth.click("button:has-text('A favor')")
    booth.wait_for_selector("text=Voto registrado")
    booth.screenshot(path=OUT / "cabina-voto-registrado.png")
    booth_context.close()

    home_context = browser.new_context(locale="es-PE", viewport={"width": 412, "height": 860})
    home = home_context.new_page()
    home.goto(f"{BASE}/asamblea-virtual/")
    home.fill("#id_dni", facts["home_dni"])
    home.fill("#id_code", facts["home_code"])
    home.screenshot(path=OUT / "asamblea-virtual-entrar.png")
    home.click("button:has-text('Ingresar')")
    home.click("button:has-text('Registrar mi asistencia')")
    home.wait_for_selector("text=Su asistencia virtual quedó registrada")
    home.wait_for_selector("text=Votación abierta")
    home.screenshot(path=OUT / "asamblea-virtual-votar.png", full_page=True)
    home_context.close()


def pdf_first_page(pdf: bytes, name: str) -> None:
    """The first page of a PDF as docs/img/<name>.png."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", "-", str(OUT / name)],
        input=pdf,
        check=True,
    )


def shoot_certification(certifier, treasurer, clerk):
    """Printing every statement (treasurer), the member page's button (clerk), then the certifier's
    documents, a verified upload and the portal."""
    treasurer.goto(f"{BASE}/certificacion/")
    treasurer.click("button:has-text('Imprimir los estados de cuenta de todos los socios')")
    treasurer.wait_for_url("**/certificacion/impresiones/**")
    treasurer.wait_for_selector("#avance .alert.success", timeout=15 * 60 * 1000)  # a few hundred PDFs
    treasurer.screenshot(path=OUT / "impresion-estados.png")

    # The member page's button, as the clerk sees it for a member who asks.
    clerk.goto(f"{BASE}/padron/socios/CHZ-00012/")
    clerk.locator("#cuenta").screenshot(path=OUT / "socio-estado-de-cuenta.png")

    # The documents of the last closed season (2025), downloaded from the portal's own links.
    certifier.goto(f"{BASE}/certificacion/?campana=2025&q=CHZ-00012")
    statement = certifier.request.get(
        BASE + certifier.get_attribute("#socios a:has-text('Estado de cuenta (PDF)')", "href")
    ).body()
    pdf_first_page(statement, "estado-de-cuenta")
    reports = (("Informe del fondo de prima", "informe-fondo"), ("Informe de campaña", "informe-campana"))
    for card, name in reports:
        href = certifier.get_attribute(f"#descargas .card:has-text('{card}') a.btn", "href")
        pdf_first_page(certifier.request.get(BASE + href).body(), name)
    # The audit pack too (made in the background by the db_worker), so the download log shows it.
    certifier.click("#descargas button:has-text('Preparar ZIP')")
    certifier.wait_for_url("**/certificacion/paquetes/**")
    certifier.wait_for_selector("#paquete .alert.success", timeout=5 * 60 * 1000)
    certifier.screenshot(path=OUT / "paquete-auditoria.png")
    zip_link = certifier.get_attribute("#paquete a:has-text('Descargar ZIP')", "href")
    pack = certifier.request.get(BASE + zip_link)
    assert pack.ok and pack.body()[:2] == b"PK", "the audit pack did not download"

    # The verification page the statement's QR leads to, after uploading the very file issued.
    text = subprocess.run(["pdftotext", "-", "-"], input=statement, capture_output=True, check=True).stdout
    key = re.search(r"verificar/documento/([0-9a-f-]{36})/", re.sub(rb"\s+", b"", text).decode()).group(1)
    with tempfile.TemporaryDirectory() as scratch:
        pdf = Path(scratch) / "estado-de-cuenta.pdf"
        pdf.write_bytes(statement)
        certifier.goto(f"{BASE}/verificar/documento/{key}/")
        certifier.set_input_files("#archivo", str(pdf))
        certifier.click("text=Verificar archivo")
        certifier.wait_for_load_state()
    certifier.screenshot(path=OUT / "verificacion-documento.png", full_page=True)

    # The whole download log, filtered to the season of the documents above.
    certifier.goto(f"{BASE}/certificacion/descargas/?campana=2025")
    certifier.screenshot(path=OUT / "registro-descargas.png", full_page=True)

    # The portal last, so its log lists the downloads above; a search keeps the member table short.
    certifier.goto(f"{BASE}/certificacion/?q=Tapullima")
    certifier.screenshot(path=OUT / "certificacion-portal.png", full_page=True)


if __name__ == "__main__":
    main(sys.argv[1:])
