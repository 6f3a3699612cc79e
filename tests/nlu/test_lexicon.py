"""Tests for bot/nlu/lexicon.py."""
from bot.nlu.lexicon import Lexicon, folded_phrase, lemma_of


def build(**overrides):
    sources = dict(
        domain_terms=["Căn cước công dân", "hộ chiếu"],
        synonyms={"cccd": "căn cước công dân", "ko": "không", "bằng lái": "giấy phép lái xe"},
        compounds=["lệ phí", "bao nhiêu"],
        vocabulary=["làm hộ chiếu hết bao nhiêu", "thu tuc lamf"],
    )
    sources.update(overrides)
    return Lexicon.build(**sources)


def test_folded_phrase_and_lemma():
    assert folded_phrase("Căn  cước_công dân") == "can cuoc cong dan"
    assert lemma_of("can cuoc") == "can_cuoc"


def test_phrases_are_keyed_by_folded_text():
    lexicon = build()
    assert lexicon.lookup("can cuoc cong dan") == "can_cuoc_cong_dan"
    assert lexicon.lookup("le phi") == "le_phi"
    assert lexicon.lookup("ho chieu") == "ho_chieu"


def test_shorthand_maps_to_its_meaning_and_wins_over_compounds():
    lexicon = build(compounds=["bằng lái"])
    assert lexicon.lookup("cccd") == "can_cuoc_cong_dan"
    assert lexicon.lookup("ko") == "khong"
    assert lexicon.lookup("bang lai") == "giay_phep_lai_xe"
    assert lexicon.lookup("giay phep lai xe") == "giay_phep_lai_xe"


def test_fixed_words_are_accented_multi_word_terms_longest_first():
    assert build().fixed_words == ["căn cước công dân", "hộ chiếu"]


def test_telex_leftover_is_repaired_only_into_a_known_syllable():
    lexicon = build()
    assert lexicon.repair_syllable("lamf") == "lam"  # "làm" was seen with diacritics
    assert lexicon.repair_syllable("tucj") == "tucj"  # "tuc" was only seen unaccented
    assert lexicon.repair_syllable("lam") == "lam"


def test_save_and_load_round_trip(tmp_path):
    lexicon = build()
    lexicon.save(tmp_path)
    loaded = Lexicon.load(tmp_path)
    assert loaded == lexicon
