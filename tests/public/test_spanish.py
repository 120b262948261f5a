import pytest

from tests.public.conftest import page_text


def test_spanish_case_page(client, demo):
    response = client.get("/es/cases/CT-2019-0001/")
    assert response.status_code == 200
    html = response.content.decode()
    page = page_text(response)
    assert '<html lang="es">' in html
    assert "Caso CT-2019-0001" in page
    assert "Situación Detenido en disputa Desde 11 de abril de 2019" in page
    assert "Componente Ejército" in page
    assert "Cronología" in page
    assert "diciembre de 2019 Traslado de ICE detention facility in Texas" in page
    assert "Solicitud de fianza: Denegado" in page
    assert "En disputa: The reports put the crossing" in page
    assert "Según MintPress News, diciembre de 2019" in page
    assert "Fuentes" in page
    # Links stay in Spanish.
    assert 'href="/es/facilities/winn-correctional-center/"' in html
    assert 'href="/cases/CT-2019-0001/" hreflang="en" lang="en">English</a>' in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/es/",
            ["Militares desertores detenidos", "2 Detenido", "Últimos cambios de situación", "abril de 2019"],
        ),
        (
            "/es/cases/",
            [
                "Nombre, alias o referencia",
                "Cualquier situación",
                "4 casos encontrados",
                "Desde abril de 2019",
            ],
        ),
        ("/es/cases/?status=detained", ["2 casos encontrados", "Estados Unidos"]),
        ("/es/facilities/", ["Centros", "Estados Unidos", "1 caso aquí ahora"]),
        (
            "/es/facilities/winn-correctional-center/",
            ["Tipo Detención migratoria", "Bajo custodia aquí ahora"],
        ),
        ("/es/sources/", ["Los informes publicados", "27 de diciembre de 2019"]),
    ],
)
def test_spanish_pages(client, demo, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    page = page_text(response)
    for fragment in expected:
        assert fragment in page, fragment


def test_english_is_unprefixed_and_links_to_spanish_twin(client, demo):
    response = client.get("/cases/?status=detained")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'href="/es/cases/?status=detained" hreflang="es" lang="es">español</a>' in html


def test_language_switcher_on_unknown_page_leads_home(client, db):
    html = client.get("/no-such-page/").content.decode()
    assert 'href="/es/" hreflang="es"' in html


def test_spanish_feed(client, demo):
    body = client.get("/es/feed/").content.decode()
    assert 'xml:lang="es"' in body
    assert "últimos cambios de situación" in body
    assert "Desde 11 de abril de 2019." in body
    assert "http://testserver/es/cases/CT-2019-0001/#status-" in body
