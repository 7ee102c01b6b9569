"""Write the sample traceability sheets in this folder (run: python samples/make_samples.py).

They are the files a cooperative would bring: the Alliance columns with a
title block above the header, accents or none, Sí/NO, months written by hand.
The tests import them, and the guides in docs/ tell users to try them.
"""

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def square(lon, lat, side):
    """A closed square ring with six decimals; side in degrees (0.001° ≈ 110 m)."""
    ring = [(lon, lat), (lon + side, lat), (lon + side, lat - side), (lon, lat - side), (lon, lat)]
    positions = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in ring)  # trailing zeros kept: EUDR counts them
    return f'{{"type":"Polygon","coordinates":[[{positions}]]}}'


HEADERS = [
    "Departamento",
    "Provincia",
    "Distrito",
    "Comunidad",
    "Nombre",
    "DNI",
    "Sexo",
    "Edad",
    "Sombra temporal (ha)",
    "Cacao instalado (ha)",
    "Mes-año de instalación",
    "Cacao injertado (ha)",
    "Forestales (ha)",
    "Georeferenciación (ha)",
    "Área del predio (ha)",
    "Cacao en producción (ha)",
    "Título de propiedad (SI/NO)",
    "Comercio Justo (SI/NO)",
    "Estado orgánico",
    "Latitud",
    "Longitud",
    "Geolocalización (GeoJSON)",
]

GOOD_ROWS = [
    [
        "San Martín",
        "San Martín",
        "Chazuta",
        "Llucanayacu",
        "Rosa Tapullima Sangama",
        "01234567",
        "F",
        47,
        0.5,
        2.5,
        "mar-15",
        1,
        0.5,
        3.1,
        3.25,
        2,
        "Sí",
        "SI",
        "Orgánico",
        -6.551234,
        -76.121234,
        "",
    ],
    [
        "San Martín",
        "San Martín",
        "Chazuta",
        "Llucanayacu",
        "Rosa Tapullima Sangama",
        "01234567",
        "F",
        47,
        0,
        4.5,
        "06/2018",
        2,
        0.75,
        5.2,
        5.5,
        3.5,
        "NO",
        "SI",
        "T2",
        "",
        "",
        square(-76.1302, -6.5611, 0.0021),
    ],
    [
        "San Martín",
        "San Martín",
        "Chazuta",
        "Pucallpillo",
        "Juan Amasifuen Pinedo",
        "42871536",
        "M",
        58,
        1,
        1.75,
        "Enero 2012",
        1.75,
        0.25,
        2,
        2,
        1.75,
        "SI",
        "NO",
        "Convencional",
        -6.592137,
        -76.098712,
        "",
    ],
    [
        "San Martín",
        "San Martín",
        "Chazuta",
        "Santa Rosa de Chipaota",
        "Elmer Satalaya Panaifo",
        "45120987",
        "M",
        36,
        "",
        3,
        "2019-11",
        0.5,
        1,
        6.2,
        6.4,
        0.5,
        "si",
        "si",
        "T1",
        "",
        "",
        square(-76.1611, -6.5402, 0.0023),
    ],
]


def write_good_xlsx():
    book = Workbook()
    sheet = book.active
    sheet.title = "Trazabilidad"
    sheet.append(["Cooperativa Agraria Cacaotera de Chazuta — Padrón de trazabilidad 2026"])
    sheet.append(["Formato Alianza Cacao Perú"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in GOOD_ROWS:
        sheet.append(row)
    book.save(HERE / "padron_chazuta.xlsx")


def write_good_latin1_csv():
    """As Excel in Spanish saves it: semicolons, decimal comma, Latin-1, headers without accents."""
    headers = [
        h.replace("á", "a").replace("ñ", "n").replace("Á", "A").replace("í", "i").replace("ó", "o").upper()
        for h in HEADERS[:19]
    ]
    rows = [
        [
            "SAN MARTIN",
            "SAN MARTIN",
            "CHAZUTA",
            "Tununtunumba",
            "Nélida Tuanama Ríos",
            "40556677",
            "Mujer",
            52,
            "0,25",
            "1,5",
            "set-14",
            "0,5",
            "0,3",
            "1,9",
            "2,05",
            "1,5",
            "SI",
            "SI",
            "Transición año 3",
        ],
        [
            "SAN MARTIN",
            "SAN MARTIN",
            "CHAZUTA",
            "Tununtunumba",
            "Nélida Tuanama Ríos",
            "40556677",
            "Mujer",
            52,
            "",
            "0,75",
            "04/2021",
            "",
            "",
            "0,8",
            "0,9",
            "0",
            "NO",
            "SI",
            "T1",
        ],
        [
            "SAN MARTIN",
            "SAN MARTIN",
            "HUIMBAYOC",
            "Curiyacu",
            "Wilder Sangama Cenepo",
            "71234890",
            "M",
            29,
            "0,5",
            "2",
            "ago. 2020",
            "1",
            "0,5",
            "2,4",
            "2,5",
            "1,2",
            "NO",
            "NO",
            "",
        ],
    ]
    with (HERE / "padron_latin1_puntoycoma.csv").open("w", encoding="latin-1", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)


def write_bad_csv():
    """Every row here has one mistake a clerk makes; the import must name each and save nothing."""
    rows = [
        # row 2: fine
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Luz Pinedo Amasifuen",
            "47001122",
            "F",
            40,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "-6.571234",
            "-76.111234",
            "",
        ],
        # row 3: DNI with 6 digits
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Pedro Tuanama",
            "470011",  # 7 digits would get its leading zero back; 6 is no DNI
            "M",
            44,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "",
            "",
            "",
        ],
        # row 4: cocoa installed larger than the plot
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Ana Sangama",
            "47003344",
            "F",
            31,
            0,
            5,
            "05/2016",
            0,
            0,
            2,
            2,
            1,
            "SI",
            "SI",
            "",
            "",
            "",
            "",
        ],
        # row 5: self-intersecting polygon (a bow tie)
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "José Panaifo",
            "47005566",
            "M",
            50,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "",
            "",
            '{"type":"Polygon","coordinates":[[[-76.100000,-6.550000],[-76.098000,-6.552000],'
            "[-76.098000,-6.550000],[-76.100000,-6.552000],[-76.100000,-6.550000]]]}",
        ],
        # row 6: a month nobody can read
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Marta Ríos",
            "47007788",
            "F",
            38,
            0,
            1,
            "el año pasado",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "",
            "",
            "",
        ],
        # row 7: a 6 ha plot recorded only as a point (EUDR needs a polygon above 4 ha)
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Hugo Satalaya",
            "47009900",
            "M",
            61,
            0,
            5,
            "05/2016",
            0,
            0,
            6,
            6,
            4,
            "SI",
            "SI",
            "",
            "-6.581234",
            "-76.121234",
            "",
        ],
        # row 8: same DNI as row 2 with another name
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Lucía Pinedo",
            "47001122",
            "F",
            40,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "",
            "",
            "",
        ],
        # row 9: coordinates with too few decimals and latitude/longitude swapped
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Rubén Cenepo",
            "47002233",
            "M",
            45,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            1.2,
            1,
            "SI",
            "SI",
            "",
            "-76.12",
            "-6.58",
            "",
        ],
        # row 10: negative area and an unknown answer for the title
        [
            "San Martín",
            "San Martín",
            "Chazuta",
            "Canayo",
            "Olga Tapullima",
            "47004455",
            "F",
            55,
            0,
            1,
            "05/2016",
            0,
            0,
            1.1,
            "-1,2",
            1,
            "quizás",
            "SI",
            "",
            "",
            "",
            "",
        ],
    ]
    with (HERE / "padron_con_errores.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)


if __name__ == "__main__":
    write_good_xlsx()
    write_good_latin1_csv()
    write_bad_csv()
    print("Escritos:", ", ".join(sorted(p.name for p in HERE.glob("padron_*"))))
