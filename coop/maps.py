"""A small SVG map of a member's plots, drawn on the server: no tiles, no scripts.

Longitude is scaled by cos(latitude) so shapes keep their proportions; near
the equator (Peru) that is almost 1, but it keeps squares square further south.
"""

import json
import math
from dataclasses import dataclass

SIZE = 400  # viewBox width and height
MARGIN = 48  # room for labels at the edges


@dataclass
class MapShape:
    code: str
    kind: str  # "polygon" or "point"
    points: str = ""  # "x,y x,y ..." for polygons
    x: float = 0.0
    y: float = 0.0
    label_x: float = 0.0
    label_y: float = 0.0
    certified: bool = False


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def plot_map(plots) -> dict | None:
    """Project the plots' geometries into one SVG viewBox; None if none is located."""
    located = []
    for plot in plots:
        if not plot.geometry:
            continue
        geometry = json.loads(plot.geometry)
        located.append((plot, geometry))
    if not located:
        return None

    coords = []
    for _, geometry in located:
        if geometry["type"] == "Point":
            coords.append(geometry["coordinates"])
        else:
            coords.extend(pos for ring in _rings(geometry) for pos in ring)
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    mid_lat = (min(lats) + max(lats)) / 2
    x_scale = math.cos(math.radians(mid_lat))
    width = max((max(lons) - min(lons)) * x_scale, 1e-4)
    height = max(max(lats) - min(lats), 1e-4)
    scale = (SIZE - 2 * MARGIN) / max(width, height)

    def project(lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - min(lons)) * x_scale * scale
        y = MARGIN + (max(lats) - lat) * scale  # north up
        return round(x, 1), round(y, 1)

    shapes = []
    for plot, geometry in located:
        certified = plot.fairtrade_certified
        if geometry["type"] == "Point":
            x, y = project(*geometry["coordinates"][:2])
            # Labels of points on the right half go to the left, so they stay inside.
            label_x = x - 8 if x > SIZE / 2 else x + 8
            shapes.append(
                MapShape(plot.code, "point", x=x, y=y, label_x=label_x, label_y=y - 8, certified=certified)
            )
            continue
        for ring in _rings(geometry):
            projected = [project(lon, lat) for lon, lat, *_ in ring]
            cx = sum(p[0] for p in projected) / len(projected)
            cy = sum(p[1] for p in projected) / len(projected)
            shapes.append(
                MapShape(
                    plot.code,
                    "polygon",
                    points=" ".join(f"{x},{y}" for x, y in projected),
                    label_x=round(cx, 1),
                    label_y=round(cy, 1),
                    certified=certified,
                )
            )
    # A scale bar: how many metres the map's width covers.
    metres_across = (SIZE - 2 * MARGIN) / scale * 111_320
    return {"size": SIZE, "shapes": shapes, "metres_across": round(metres_across)}
