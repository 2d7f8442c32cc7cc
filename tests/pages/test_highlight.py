"""archive.highlight: a demand's sentence marked in its paragraph, all else escaped."""

from archive.highlight import demand_marks, highlight


def test_the_sentence_is_wrapped_in_a_mark_with_its_id():
    html = highlight("Intro. We call on the UN to act. End.", [("d1", "We call on the UN to act.")])
    assert html == 'Intro. <mark id="d1">We call on the UN to act.</mark> End.'


def test_text_around_and_inside_the_mark_is_escaped():
    html = highlight("<b>x</b> Stop <script>.", [("d1", "Stop <script>.")])
    assert html == '&lt;b&gt;x&lt;/b&gt; <mark id="d1">Stop &lt;script&gt;.</mark>'


def test_a_sentence_differing_only_in_spacing_and_case_is_found():
    html = highlight("He  called ON the Council.", [("d2", "he called on the council.")])
    assert html == '<mark id="d2">He  called ON the Council.</mark>'


def test_a_sentence_not_in_the_paragraph_leaves_it_unmarked():
    assert highlight("Nothing here.", [("d1", "Elsewhere.")]) == "Nothing here."


def test_two_demands_in_one_paragraph_are_both_marked_in_order():
    html = highlight("A one. B two.", [("d2", "B two."), ("d1", "A one.")])
    assert html == '<mark id="d1">A one.</mark> <mark id="d2">B two.</mark>'


def test_demand_marks_number_demands_in_order_and_group_them_by_paragraph():
    marks = demand_marks([(2, "first"), (None, "second"), (2, "third")])
    assert marks == {2: [("d1", "first"), ("d3", "third")]}
