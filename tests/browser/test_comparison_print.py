"""The comparison report printed to PDF from Chromium: A4 landscape pages, a cohort of five sessions on few of them."""
from __future__ import annotations

import re

import pytest

from tests.exports.comparison_dataset import cohort
from workshop.core.comparison import build_comparison
from workshop.exports import compare

pytestmark = pytest.mark.browser

A4_LANDSCAPE_POINTS = (842, 595)


def pdf_pages(browser, html: str) -> tuple[list[tuple[int, int]], int]:
    """Print HTML to PDF in Chromium; return each page's size in points and the PDF's size."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(html)
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    sizes = [tuple(round(float(v)) for v in box) for box in
             re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]
    return sizes, len(pdf)


@pytest.mark.parametrize("by, most_pages", [("session", 3), ("organisation", 3)])
def test_the_comparison_of_a_cohort_prints_on_a4_landscape(browser, by, most_pages):
    comparison = build_comparison(cohort(), by=by, generated_at="2025-03-20T10:00:00+00:00")
    html = compare.to_html(comparison)
    sizes, size = pdf_pages(browser, html)
    print(f"comparison by {by}: {len(sizes)} A4 page(s), {size:,} bytes of PDF")
    assert sizes and all(s == A4_LANDSCAPE_POINTS for s in sizes), sizes
    assert len(sizes) <= most_pages
