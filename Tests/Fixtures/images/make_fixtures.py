"""Writes the tiny image fixtures of Tests/DatasetsTests (run from this folder).

Requires: pip install pillow pypng. PNG pixel values are fixed below and repeated by hand in
Tests/DatasetsTests/ImageDecodingTests.swift; JPEG references (Pillow's decode, with
ImageOps.exif_transpose for the EXIF files) go to jpeg_expected.json.
"""
import io, json, struct
import png  # pypng: every PNG colour type and bit depth, interlacing
from PIL import Image, ImageOps

W, H = 4, 3
P = [[(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)],
     [(0, 0, 0), (128, 64, 32), (10, 20, 30), (200, 100, 50)],
     [(1, 2, 3), (254, 253, 252), (90, 180, 45), (17, 34, 68)]]
G = [[0, 50, 100, 150], [200, 255, 1, 254], [17, 34, 68, 136]]
A = [[0, 128, 255, 64], [255, 1, 254, 0], [32, 255, 200, 100]]
D = [[-100, 100, -100, 100], [100, -100, 100, -100], [-100, 100, -100, 100]]  # 16-bit offsets


def sixteen(v, d):
    return max(0, min(65535, v * 257 + d))


def write(name, rows, **kw):
    with open(name, "wb") as f:
        png.Writer(**kw).write(f, rows)


write("rgb8.png", [[c for p in row for c in p] for row in P], width=W, height=H, greyscale=False)
write("rgb16.png", [[sixteen(c, D[y][x]) for x, p in enumerate(row) for c in p] for y, row in enumerate(P)],
      width=W, height=H, greyscale=False, bitdepth=16)
write("rgba8.png", [[c for x, p in enumerate(row) for c in (*p, A[y][x])] for y, row in enumerate(P)],
      width=W, height=H, greyscale=False, alpha=True)
write("gray8.png", G, width=W, height=H, greyscale=True)
write("gray16.png", [[sixteen(g, D[y][x]) for x, g in enumerate(row)] for y, row in enumerate(G)],
      width=W, height=H, greyscale=True, bitdepth=16)
write("gray4.png", [[g % 16 for g in row] for row in G], width=W, height=H, greyscale=True, bitdepth=4)
write("gray_alpha8.png", [[v for x, g in enumerate(row) for v in (g, A[y][x])] for y, row in enumerate(G)],
      width=W, height=H, greyscale=True, alpha=True)
# Palette, 4 bits per index, entry i = P's i-th pixel in row-major order; entries 0-3 carry
# tRNS alpha (0, 128, 255, 64), which the decoder must drop.
palette = [(*p, A[0][i]) if i < 4 else p for i, p in enumerate(c for row in P for c in row)]
write("palette4.png", [[y * W + x for x in range(W)] for y in range(H)], width=W, height=H,
      palette=palette, bitdepth=4)
# Adam7-interlaced 8x8 RGB, pixel (x, y) = (30x, 30y, 15(x + y)), so every pass holds pixels.
write("interlaced8.png", [[c for x in range(8) for c in (30 * x, 30 * y, 15 * (x + y))] for y in range(8)],
      width=8, height=8, greyscale=False, interlace=True)
# Adam7-interlaced 16-bit RGBA, same pattern scaled by 257, alpha ramp.
write("interlaced_rgba16.png",
      [[c for x in range(8) for c in (30 * x * 257, 30 * y * 257, 15 * (x + y) * 257, 8191 * x)] for y in range(8)],
      width=8, height=8, greyscale=False, alpha=True, bitdepth=16, interlace=True)

rgb8 = open("rgb8.png", "rb").read()
open("truncated.png", "wb").write(rgb8[: len(rgb8) // 2])
open("corrupt.png", "wb").write(rgb8[:8] + bytes(range(7, 250, 3)))
open("not_an_image.png", "wb").write(b"this is text, not a picture\n")

# JPEG: 24 x 16 made of 3 x 2 flat 8 x 8 blocks (aligned to JPEG blocks, so decoding is near exact).
BLOCKS = [[(220, 30, 30), (30, 200, 40), (40, 50, 210)], [(240, 240, 240), (20, 20, 20), (230, 210, 40)]]
blocks = Image.new("RGB", (24, 16))
for by, row in enumerate(BLOCKS):
    for bx, colour in enumerate(row):
        blocks.paste(colour, (8 * bx, 8 * by, 8 * bx + 8, 8 * by + 8))
blocks.save("baseline.jpg", quality=95, subsampling=0)
blocks.save("progressive.jpg", quality=95, subsampling=0, progressive=True)
blocks.convert("L").save("gray.jpg", quality=95)
blocks.convert("CMYK").save("cmyk.jpg", quality=95)  # Adobe marker, inverted CMYK, K = 0
Image.new("RGB", (1, 1), (200, 100, 50)).save("one_pixel.jpg", quality=95, subsampling=0)  # the smallest image


def exif_app1(orientation, big_endian):
    """An APP1 Exif payload (without marker/length) holding only IFD0 tag 0x0112."""
    e = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    tiff += struct.pack(e + "H", 1) + struct.pack(e + "HHI", 0x0112, 3, 1)
    tiff += struct.pack(e + "H", orientation) + b"\0\0" + struct.pack(e + "I", 0)
    return b"Exif\0\0" + tiff


for orientation in range(1, 9):
    big = orientation == 6  # one Motorola-order file; the rest Intel order, as Pillow writes
    blocks.save(f"exif{orientation}.jpg", quality=95, subsampling=0, exif=exif_app1(orientation, big))

baseline = open("baseline.jpg", "rb").read()
open("truncated.jpg", "wb").write(baseline[: int(len(baseline) * 0.6)])

expected = {}
for name in ["baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "one_pixel.jpg"] + [f"exif{o}.jpg" for o in range(1, 9)]:
    image = ImageOps.exif_transpose(Image.open(name)).convert("RGB")
    expected[name] = {"width": image.width, "height": image.height,
                      "pixels": [c for p in image.getdata() for c in p]}
json.dump(expected, open("jpeg_expected.json", "w"))
