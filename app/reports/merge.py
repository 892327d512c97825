"""Join the parts of a long document, each rendered to a tagged PDF of its own, into one PDF.

A long plan is laid out in two parts at once, one on each core (`render.render_pdf`), and the
parts are joined here. A screen reader must find one document, not two stapled together, so
besides the pages this joins:

- the structure trees (PDF/UA tags): the second part's elements go under the first part's
  Document element, in reading order, and its pages' keys into the parent tree are moved past
  the first part's, so every marked piece of a page still finds its element;
- the bookmarks: rebuilt as one outline from every heading's level, so a heading that
  continues in the second part sits under its section, not at the top.

Page numbers ("Page 5 of 34") are already right in each part: the parts exchange their page
counts while they are laid out (`render.PageNumbers`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem


class MergeFailed(RuntimeError):
    """A part's PDF is not in the shape WeasyPrint writes (so a join could lose its tags)."""


@dataclass(frozen=True)
class Part:
    pdf: bytes
    # Each bookmark's heading level and whether it starts open, in document order: one per
    # entry of the part's own outline.
    bookmarks: Sequence[tuple[int, bool]]


def merge(parts: Sequence[Part]) -> bytes:
    """One PDF: the parts' pages in order, one structure tree and one outline."""
    if len(parts) == 1:
        return parts[0].pdf
    pdf = pikepdf.open(io.BytesIO(parts[0].pdf))
    tree = _tree(pdf)
    document = _document_element(tree)
    nums = _flat_nums(tree)
    next_key = _next_key(nums)
    entries = _outline_entries(pdf, parts[0].bookmarks)

    for number, part in enumerate(parts[1:], start=1):
        other = pikepdf.open(io.BytesIO(part.pdf))
        other_tree = _tree(other)
        other_document = _document_element(other_tree)
        other_nums = _flat_nums(other_tree)
        first_new = len(pdf.pages)
        # Copying pages and then elements from the same file maps each reference once, so the
        # elements' /Pg entries point at the copied pages.
        pdf.pages.extend(other.pages)
        _retag_fonts(pdf.pages[first_new:], number)
        for page in pdf.pages[first_new:]:
            _shift_key(page.obj, "/StructParents", next_key)
            for annotation in page.obj.get("/Annots", ()):
                _shift_key(annotation, "/StructParent", next_key)
        for kid in list(other_document.K):
            copied = _copy(pdf, other, kid)
            copied.P = document
            document.K.append(copied)
        for i in range(0, len(other_nums), 2):
            nums.append(int(other_nums[i]) + next_key)
            nums.append(_copy(pdf, other, other_nums[i + 1]))
        next_key += _next_key(other_nums)
        entries += [
            (level, is_open, title, _copy(pdf, other, dest))
            for level, is_open, title, dest in _outline_entries(other, part.bookmarks)
        ]

    if "/ParentTreeNextKey" in tree:
        tree.ParentTreeNextKey = next_key
    _write_outline(pdf, entries)
    out = io.BytesIO()
    # Object streams, as WeasyPrint writes: without them the file is twice the size.
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


# What a structure tree root may hold for the join to keep it whole (WeasyPrint writes no
# role map, class map or ID tree); anything else is refused rather than lost.
TREE_KEYS = {"/Type", "/K", "/ParentTree", "/ParentTreeNextKey"}


def _tree(pdf: pikepdf.Pdf) -> Dictionary:
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        raise MergeFailed("a part has no structure tree")
    if unknown := set(tree.keys()) - TREE_KEYS:
        raise MergeFailed(
            f"the structure tree has {', '.join(sorted(unknown))}, which the join would lose"
        )
    return tree


def _document_element(tree: Dictionary) -> Dictionary:
    root = tree.get("/K")
    if isinstance(root, Array) and len(root) == 1:
        root = root[0]
    if not isinstance(root, Dictionary) or root.get("/S") != Name.Document:
        raise MergeFailed("the structure tree does not start with one Document element")
    if not isinstance(root.get("/K"), Array):
        root.K = Array([root.K]) if "/K" in root else Array()
    return root


def _flat_nums(tree: Dictionary) -> Array:
    parent_tree = tree.get("/ParentTree")
    if parent_tree is None or "/Kids" in parent_tree or "/Nums" not in parent_tree:
        raise MergeFailed("the parent tree is not one flat /Nums array")
    return parent_tree.Nums


def _copy(pdf: pikepdf.Pdf, other: pikepdf.Pdf, obj):
    """`obj` of `other` copied into `pdf`, with what it refers to (once per object)."""
    return pdf.copy_foreign(obj if obj.is_indirect else other.make_indirect(obj))


def _retag_fonts(pages, number: int) -> None:
    """Give a later part's font subsets tags of their own: each part embeds its own subset of
    the same font under the same name ("ABCDEF+DejaVu-Sans"), and a name must mean one subset.
    The tag's last letter moves on by the part's number."""
    fonts = {}
    for page in pages:
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
            fonts[font.objgen] = font
    for font in fonts.values():
        tag, plus, rest = str(font.get("/BaseFont", ""))[1:].partition("+")
        if not plus or len(tag) != 6 or not tag.isalpha() or not tag.isupper():
            continue
        last = chr(ord("A") + (ord(tag[-1]) - ord("A") + number) % 26)
        new = Name(f"/{tag[:5]}{last}+{rest}")
        font.BaseFont = new
        for descendant in font.get("/DescendantFonts", ()):
            descendant.BaseFont = new
            if "/FontDescriptor" in descendant:
                descendant.FontDescriptor.FontName = new


def _next_key(nums: Array) -> int:
    """One past the highest key of a flat number tree."""
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _shift_key(obj: Dictionary, key: str, by: int) -> None:
    if key in obj:
        obj[key] = int(obj[key]) + by


def _outline_entries(pdf: pikepdf.Pdf, bookmarks: Sequence[tuple[int, bool]]) -> list[tuple]:
    """(level, open, title, destination) for each outline entry, in document order."""
    found = []

    def walk(item):
        while item is not None:
            found.append((str(item.Title), item.get("/Dest")))
            walk(item.get("/First"))
            item = item.get("/Next")

    outlines = pdf.Root.get("/Outlines")
    if outlines is not None:
        walk(outlines.get("/First"))
    if len(found) != len(bookmarks):
        raise MergeFailed(f"{len(found)} outline entries but {len(bookmarks)} bookmarks")
    if any(dest is None for _, dest in found):
        raise MergeFailed("an outline entry has no destination")
    return [
        (level, is_open, title, dest)
        for (level, is_open), (title, dest) in zip(bookmarks, found, strict=True)
    ]


def _write_outline(pdf: pikepdf.Pdf, entries: list[tuple]) -> None:
    """One outline, nested by heading level as WeasyPrint nests a single document's."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for level, is_open, title, dest in entries:
            item = OutlineItem(title, dest)
            item.is_closed = not is_open
            while stack[-1][0] >= level:
                stack.pop()
            stack[-1][1].append(item)
            stack.append((level, item.children))
