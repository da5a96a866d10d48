"""Compose FashionScenes: tinted Fashion-MNIST items on textured, cluttered
canvases.

Labels come from composing Fashion-MNIST items (an item's class where its
pixels are foreground), not from human annotation.

Design, so that the pretext tasks have something to learn as on natural images:

* colour carries meaning: every class draws its tint from its own hue
  distribution (with spread; some classes overlap: t-shirt/shirt,
  pullover/coat, trouser/ankle boot), the background from a muted one of its
  own;
* scenes have an up and a down: items stand upright within about +-30 degrees,
  and the background is lit from above (a vertical brightness gradient);
* difficulty varies from image to image: item count, scale, overlap, clutter,
  noise and blur are all drawn per image.

Every image is generated from its own seed ``(seed, split, index)``, so the
data set is the same whatever the number of worker processes.
"""
import cv2
import numpy as np

# Per item class: (mean hue in OpenCV units [0, 180), hue spread, saturation
# range).
CLASS_TINTS = (
    (0, 6, (150, 255)),  # t-shirt/top: red
    (108, 6, (120, 230)),  # trouser: denim blue
    (18, 6, (150, 255)),  # pullover: orange
    (160, 8, (120, 255)),  # dress: magenta
    (12, 8, (110, 200)),  # coat: brown-orange, overlaps pullover
    (30, 5, (150, 255)),  # sandal: yellow
    (4, 10, (90, 200)),  # shirt: red, paler, overlaps t-shirt
    (62, 10, (120, 255)),  # sneaker: green
    (135, 10, (100, 230)),  # bag: violet
    (96, 8, (110, 230)),  # ankle boot: cyan-blue, overlaps trouser
)
# Backgrounds: muted hues (greys, olive, sand, slate), low saturation.
BACKGROUND_HUES = (20, 35, 50, 75, 100, 115)
BACKGROUND_SAT = (0, 90)


def class_probs(num_classes: int = 10, imbalance: float = 1.0) -> np.ndarray:
    """Item class probabilities, exponentially long-tailed.

    Args:
        num_classes (int): Number of item classes. Defaults to 10.
        imbalance (float): Commonest / rarest class frequency; 1 is balanced.
            Defaults to 1.0.

    Returns:
        np.ndarray: Probabilities, class 0 the commonest.
    """
    p = imbalance**(-np.arange(num_classes) / max(num_classes - 1, 1))
    return p / p.sum()


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    px = np.array([[[h % 180, np.clip(s, 0, 255),
                     np.clip(v, 0, 255)]]], np.uint8)
    return cv2.cvtColor(px, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def _smooth_noise(rng: np.random.Generator, size: int,
                  cells: int) -> np.ndarray:
    grid = rng.standard_normal((cells, cells)).astype(np.float32)
    return cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    hue = rng.choice(BACKGROUND_HUES) + rng.normal(0, 6)
    sat = rng.uniform(*BACKGROUND_SAT)
    val = rng.uniform(70, 190)
    base = _hsv_to_rgb(hue, sat, val)
    ys = np.linspace(1, -1, size, dtype=np.float32)[:, None, None]
    light = 1 + rng.uniform(0.15, 0.45) * ys  # lit from above
    tex = rng.uniform(5, 30) * _smooth_noise(rng, size, int(
        rng.integers(3, 9)))
    tex += rng.uniform(0, 15) * _smooth_noise(rng, size,
                                              int(rng.integers(12, 24)))
    img = base[None, None, :] * light + tex[:, :, None]
    if rng.random(
    ) < 0.4:  # stripes or a weave, at a random angle and frequency
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        ang = rng.uniform(0, np.pi)
        freq = rng.uniform(0.15, 0.6)
        img += rng.uniform(5, 25) * np.sin(
            freq * (xx * np.cos(ang) + yy * np.sin(ang)))[:, :, None]
    for _ in range(int(rng.integers(0,
                                    8))):  # clutter: muted blobs and strokes
        colour = _hsv_to_rgb(
            rng.choice(BACKGROUND_HUES), rng.uniform(0, 110),
            rng.uniform(40, 220)).tolist()
        centre = tuple(int(c) for c in rng.integers(0, size, 2))
        if rng.random() < 0.5:
            axes = tuple(int(a) for a in rng.integers(2, max(3, size // 6), 2))
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360,
                        colour, -1)
        else:
            end = tuple(int(c) for c in rng.integers(0, size, 2))
            cv2.line(img, centre, end, colour,
                     int(rng.integers(1,
                                      max(2, size // 32) + 1)))
    return img


def _place_item(rng, canvas, label, item, cls, size, scale_range, max_tilt,
                centred):
    extent = rng.uniform(*scale_range) * size
    tilt = float(np.clip(rng.normal(0, max_tilt / 2.5), -max_tilt, max_tilt))
    if centred:
        cx, cy = size / 2 + rng.normal(0, size * 0.05, 2)
    else:
        cx, cy = rng.uniform(0.1 * size, 0.9 * size, 2)
    mat = cv2.getRotationMatrix2D((14.0, 14.0), tilt, extent / 28.0)
    mat[:, 2] += (cx - 14.0, cy - 14.0)
    inten = cv2.warpAffine(
        item.astype(np.float32) / 255.0,
        mat, (size, size),
        flags=cv2.INTER_LINEAR,
        borderValue=0)
    hue, spread, sat_range = CLASS_TINTS[cls]
    tint = _hsv_to_rgb(hue + rng.normal(0, spread), rng.uniform(*sat_range),
                       rng.uniform(150, 255))
    shade = (0.3 + 0.7 * inten)[:, :, None]
    alpha = np.clip((inten - 0.05) / 0.2, 0, 1)[:, :, None]
    canvas[:] = canvas * (1 - alpha) + tint[None, None, :] * shade * alpha
    label[inten > 0.15] = cls + 1


def compose_image(rng: np.random.Generator,
                  items: np.ndarray,
                  item_labels: np.ndarray,
                  by_class: list,
                  size: int = 128,
                  num_items: tuple = (2, 5),
                  probs: np.ndarray = None,
                  centred: bool = False,
                  scale_range: tuple = (0.3, 0.65),
                  max_tilt: float = 30.0) -> tuple:
    """Compose one scene.

    Args:
        rng (np.random.Generator): The image's own generator.
        items (np.ndarray): Fashion-MNIST images, (N, 28, 28) uint8.
        item_labels (np.ndarray): Their classes, (N,).
        by_class (list): For each class, the indices of its items.
        size (int): Canvas side in pixels. Defaults to 128.
        num_items (tuple): Inclusive range of the number of items. Defaults to
            (2, 5).
        probs (np.ndarray, optional): Class probabilities; None is uniform.
            Defaults to None.
        centred (bool): Place the (single) item near the centre. Defaults to
            False.
        scale_range (tuple): Item extent as a fraction of the canvas. Defaults
            to (0.3, 0.65).
        max_tilt (float): Largest tilt from upright in degrees. Defaults to
            30.0.

    Returns:
        tuple: ``(image, label, classes)``: RGB uint8 (size, size, 3), label
            map uint8
        (size, size) with 0 = background and 1-10 = item classes, and the item
        classes placed.
    """
    canvas = _background(rng, size)
    label = np.zeros((size, size), np.uint8)
    n = int(rng.integers(num_items[0], num_items[1] + 1))
    classes = rng.choice(len(by_class), size=n, p=probs)
    for cls in classes:
        idx = by_class[cls][int(rng.integers(len(by_class[cls])))]
        _place_item(rng, canvas, label, items[idx], int(cls), size,
                    scale_range, max_tilt, centred)
    canvas *= rng.uniform(0.75, 1.2)  # exposure
    canvas += rng.normal(0, rng.uniform(2, 22),
                         canvas.shape).astype(np.float32)
    if rng.random() < 0.3:
        canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.5, 1.2))
    return np.clip(canvas, 0,
                   255).astype(np.uint8), label, [int(c) for c in classes]


def index_by_class(item_labels: np.ndarray, num_classes: int = 10) -> list:
    """Indices of each class's items, checked to be non-empty."""
    by_class = [np.flatnonzero(item_labels == c) for c in range(num_classes)]
    empty = [c for c, ids in enumerate(by_class) if len(ids) == 0]
    if empty:
        raise ValueError(
            f'no Fashion-MNIST items of classes {empty} in the source')
    return by_class
