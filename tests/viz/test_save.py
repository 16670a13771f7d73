from PIL import Image

from latentgan.viz.save import new_figure, save_figure, save_image


def test_save_figure_writes_a_png_of_the_figure_size_and_leaves_no_temporary_file(tmp_path):
    fig = new_figure(3, 2, dpi=50)
    fig.add_subplot().plot([0, 1], [1, 0])
    path = save_figure(fig, tmp_path / "sub" / "fig.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (150, 100)
    assert [p.name for p in path.parent.iterdir()] == ["fig.png"]


def test_save_image_replaces_an_existing_file(tmp_path):
    path = tmp_path / "a.png"
    save_image(Image.new("RGB", (4, 4), "red"), path)
    save_image(Image.new("L", (5, 3), 7), path)
    with Image.open(path) as image:
        assert image.size == (5, 3) and image.getpixel((0, 0)) == 7
