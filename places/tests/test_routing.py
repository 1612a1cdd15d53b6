from places.routing import grid_for_point
from places.services import place_update


def test_it_routes_a_point_inside_a_grid_boundary_to_that_grid(tree):
    assert grid_for_point(103.885, 36.055) == tree["grid1"]


def test_it_routes_a_point_outside_every_boundary_nowhere(tree):
    assert grid_for_point(103.80, 36.00) is None


def test_it_sees_a_moved_boundary_at_once(tree, root):
    place_update(actor=root, place=tree["grid2"], geometry={"type": "Polygon", "coordinates": [
        [[103.70, 36.00], [103.71, 36.00], [103.71, 36.01], [103.70, 36.01], [103.70, 36.00]]]})
    assert grid_for_point(103.705, 36.005) == tree["grid2"]
    place_update(actor=root, place=tree["grid2"], geometry={"type": "Polygon", "coordinates": [
        [[103.60, 36.00], [103.61, 36.00], [103.61, 36.01], [103.60, 36.01], [103.60, 36.00]]]})
    assert grid_for_point(103.705, 36.005) is None
