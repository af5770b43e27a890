"""Assessment rules without HTTP: drafts, finalising, corrections, pairs, effective and unit results, queue."""
import itertools

import pytest
from sqlalchemy import select

from courseware.assessments import assessor_queue, form_input, judgements, lookups
from courseware.results import status as results
from courseware.assessments.models import Judgement, JudgementMark
from courseware.assessments.judgements import MarkInput
from courseware.audit.models import AuditEvent
from courseware.errors import ServiceError
from courseware.extensions import db


def marks_for(practical, default="K", **overrides):
    """{point_id: MarkInput}; overrides by uid with dashes as underscores: p2_1_a="BK"."""
    result = {}
    for point in practical.active_points:
        value = overrides.get("p" + point.uid.replace(".", "_").replace("-", "_"), default)
        result[point.id] = MarkInput(result=value, comment=f"komentar {point.uid}")
    return result


def judge(version, trainee, assessor, practical, recommendation, **overrides):
    """Draft, save and finalise one judgement; BK recommendation marks the first point BK."""
    if recommendation == "BK" and not overrides:
        first = practical.active_points[0]
        overrides = {"p" + first.uid.replace(".", "_").replace("-", "_"): "BK"}
    draft = judgements.start_or_resume_draft(version, trainee, assessor)
    judgements.save_marks(draft, assessor, marks_for(practical, **overrides), recommendation, "Umpan balik", "Lab OTKP",
                       attitudes_for(practical))
    return judgements.finalise(draft, assessor)


def attitudes_for(practical, result="K"):
    """Every observed attitude of the sheet marked `result`."""
    return {a["id"]: {"result": result, "comment": ""} for a in practical.attitudes}


def test_sheets_have_the_expected_points(assessment_school):
    assert len(assessment_school.lik1.active_points) == 5
    assert [p.uid for p in assessment_school.lik2.critical_points] == ["2.1-a", "2.5-a", "2.5-b"]


def test_recommendation_k_is_refused_while_a_point_is_bk(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_2")
    draft = judgements.start_or_resume_draft(version, s.trainee, s.assessor)
    with pytest.raises(ServiceError) as err:
        judgements.save_marks(draft, s.assessor, marks_for(s.lik2, p2_2_a="BK"), "K", "", "")
    assert "K hanya boleh" in err.value.message
    # a critical point never tolerates BK
    with pytest.raises(ServiceError):
        judgements.save_marks(draft, s.assessor, marks_for(s.lik2, p2_5_b="BK"), "K", "", "")
    # nothing was written by the refused saves
    assert all(m.result is None for m in db.session.get(Judgement, draft.id).marks)


def test_finalise_needs_every_point_and_a_recommendation(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    draft = judgements.start_or_resume_draft(version, s.trainee, s.assessor)
    partial = marks_for(s.lik1)
    partial[s.lik1.active_points[-1].id] = MarkInput(None, "")
    judgements.save_marks(draft, s.assessor, partial, "BK", "", "")
    with pytest.raises(ServiceError) as err:
        judgements.finalise(draft, s.assessor)
    assert "1.4-a" in err.value.message
    judgements.save_marks(draft, s.assessor, marks_for(s.lik1), None, "", "")
    with pytest.raises(ServiceError):
        judgements.finalise(draft, s.assessor)
    assert db.session.get(Judgement, draft.id).state == "draft"


def test_only_assessors_and_admins_may_judge(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    for role in ("teacher", "trainee"):
        with pytest.raises(ServiceError) as err:
            judgements.start_or_resume_draft(version, s.trainee, s.__dict__[role])
        assert err.value.status == 403
    assert judgements.start_or_resume_draft(version, s.trainee, s.admin).state == "draft"


def test_a_final_judgement_is_never_updated(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    final = judge(version, s.trainee, s.assessor, s.lik1, "K")
    # the service refuses
    with pytest.raises(ServiceError) as err:
        judgements.save_marks(final, s.assessor, marks_for(s.lik1, p1_1_a="BK"), "BK", "ubah", "")
    assert err.value.status == 409
    with pytest.raises(ServiceError):
        judgements.finalise(final, s.assessor)
    with pytest.raises(ServiceError):   # no new draft beside a final judgement either
        judgements.start_or_resume_draft(version, s.trainee, s.assessor)
    # and so does the database layer, whoever tries
    final = db.session.get(Judgement, final.id)
    final.recommendation = "BK"
    with pytest.raises(ServiceError):
        db.session.commit()
    db.session.rollback()
    mark = db.session.scalar(select(JudgementMark).where(JudgementMark.judgement_id == final.id))
    mark.result = "BK"
    with pytest.raises(ServiceError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(Judgement, final.id))
    with pytest.raises(ServiceError):
        db.session.commit()
    db.session.rollback()
    again = db.session.get(Judgement, final.id)
    assert again.recommendation == "K" and all(m.result == "K" for m in again.marks)


def test_a_correction_supersedes_with_a_reason_and_keeps_both(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    first = judge(version, s.trainee, s.assessor, s.lik1, "K")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_1") == "K"
    with pytest.raises(ServiceError) as err:
        judgements.correct(first, s.assessor, marks_for(s.lik1, p1_3_a="BK"), "BK", "", "", reason="")
    assert "alasan" in err.value.message.lower()
    with pytest.raises(ServiceError):   # the correction obeys the K rule too
        judgements.correct(first, s.assessor, marks_for(s.lik1, p1_3_a="BK"), "K", "", "", reason="Salah lihat menit 2")
    second = judgements.correct(first, s.assessor, marks_for(s.lik1, p1_3_a="BK"), "BK", "Perbaiki rencana kerja",
                             "Lab", reason="Rencana kerja tidak menyebut waktu; terlewat saat menilai.")
    assert second.supersedes_id == first.id and second.state == "final"
    assert second.correction_reason.startswith("Rencana kerja")
    old = db.session.get(Judgement, first.id)
    assert old.state == "final" and old.recommendation == "K"       # kept, unchanged
    assert [j.id for j in lookups.final_history(version.id, s.trainee.id)] == [second.id, first.id]
    assert lookups.effective_lik_result(s.trainee.id, "LIK_1") == "BK"
    with pytest.raises(ServiceError) as err:   # the old one cannot be corrected a second time
        judgements.correct(old, s.assessor, marks_for(s.lik1), "K", "", "", reason="Koreksi lagi dari yang lama")
    assert err.value.status == 409
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "assessment.correct" in actions and "assessment.result" in actions


def test_the_partner_is_never_judged_from_the_submitters_video(assessment_school):
    """DESIGN §3: a LIK video is evidence only for the trainee who submits it and plays the assessed role."""
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    judge(version, s.trainee, s.assessor, s.lik1, "K")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_1") == "K"
    assert lookups.effective_lik_result(s.trainee2.id, "LIK_1") == "belum-mengumpulkan"
    with pytest.raises(ServiceError) as err:
        judgements.start_or_resume_draft(version, s.trainee2, s.assessor)
    assert err.value.status == 403 and "pasangan" in err.value.message
    with pytest.raises(ServiceError) as err:   # someone not named on the version
        judgements.start_or_resume_draft(version, s.ani, s.assessor)
    assert err.value.status == 404
    history = lookups.trainee_history(s.trainee2, "LIK_1")
    assert [(h.role, h.judgements) for h in history] == [("pasangan", [])]


def test_effective_result_follows_the_newest_version(assessment_school):
    s = assessment_school
    assert lookups.effective_lik_result(s.trainee.id, "LIK_2") == "belum-mengumpulkan"
    v1 = s.submit(s.trainee, "LIK_2")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_2") == "belum-dinilai"
    judge(v1, s.trainee, s.assessor, s.lik2, "BK")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_2") == "BK"
    v2 = s.submit(s.trainee, "LIK_2")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_2") == "belum-dinilai"
    judge(v2, s.trainee, s.assessor, s.lik2, "K")
    assert lookups.effective_lik_result(s.trainee.id, "LIK_2") == "K"
    history = lookups.trainee_history(s.trainee, "LIK_2")
    assert [(h.version.number, h.judgements[0].recommendation, h.is_evidence) for h in history] == \
        [(2, "K", True), (1, "BK", False)]


def test_queue_lists_submitters_only_oldest_first_and_filterable(assessment_school):
    s = assessment_school
    pair = s.submit(s.trainee, "LIK_1", partner=s.trainee2)     # oldest: one row, the submitter's
    solo = s.submit(s.budi, "LIK_2", status="diproses")
    rows = assessor_queue.queue(s.assessor)
    assert [(r.trainee.id, r.practical.code) for r in rows] == [(s.trainee.id, "LIK_1"), (s.budi.id, "LIK_2")]
    assert rows[0].partner.id == s.trainee2.id
    assert rows[1].media_status == "diproses" and rows[0].waited >= rows[1].waited
    assert [r.trainee.id for r in assessor_queue.queue(s.assessor, class_id=s.b.id)] == [s.budi.id]
    assert [r.trainee.id for r in assessor_queue.queue(s.assessor, code="LIK_1")] == [s.trainee.id]
    judge(pair, s.trainee, s.assessor, s.lik1, "K")
    assert [(r.trainee.id, r.version.id) for r in assessor_queue.queue(s.assessor)] == [(s.budi.id, solo.id)]
    newer = s.submit(s.budi, "LIK_2")       # replaces the older, unjudged version in the queue
    assert [r.version.id for r in assessor_queue.queue(s.assessor, code="LIK_2")] == [newer.id]
    assert assessor_queue.queue_summary(s.assessor)["count"] == 1


# --- the unit result: every combination of written test and the two LIKs -------------------

TEST_STATES = ("lulus", "belum-lulus", "tidak-lulus", "belum-ikut", "sedang-mengerjakan")
LIK_STATES = ("K", "BK", "belum-mengumpulkan", "belum-dinilai")


@pytest.mark.parametrize("test_state", TEST_STATES)
@pytest.mark.parametrize("lik1,lik2", list(itertools.product(LIK_STATES, LIK_STATES)))
def test_unit_rule_for_every_combination(test_state, lik1, lik2):
    """80 combinations: BK only when something decides it; Dalam proses otherwise; Kompeten when all pass."""
    test = results.TestResult(results.TestStatus(test_state), score=60.0, pass_mark=75)
    liks = {"LIK_1": results.LikResult("LIK_1", results.LikStatus(lik1)),
            "LIK_2": results.LikResult("LIK_2", results.LikStatus(lik2))}
    unit = results.UnitResult(1, results.decide(test, liks), test, liks, results._missing(test, liks))
    if test_state == "tidak-lulus" or "BK" in (lik1, lik2):
        assert unit.status == "belum-kompeten" and unit.recommendation == "BK"
    elif (test_state, lik1, lik2) == ("lulus", "K", "K"):
        assert unit.status == "kompeten" and unit.missing == [] and unit.recommendation == "K"
    else:
        assert unit.status == "dalam-proses" and unit.recommendation == "Belum dinilai"
    missing = " ".join(unit.missing)
    assert ("Tes tertulis belum diikuti" in missing) == (test_state == "belum-ikut")
    assert ("masih ada kesempatan" in missing) == (test_state == "belum-lulus")
    assert ("kesempatan sudah habis" in missing) == (test_state == "tidak-lulus")
    for code, state in (("LIK_1", lik1), ("LIK_2", lik2)):
        assert (f"{code} belum dikumpulkan" in missing) == (state == "belum-mengumpulkan")
        assert (f"Menunggu penilaian {code}" in missing) == (state == "belum-dinilai")
        assert (f"{code} Belum Kompeten" in missing) == (state == "BK")


def test_unit_result_uses_the_real_written_test(assessment_school):
    """No attempt yet: the unit is in process, never Belum Kompeten, and says what is missing."""
    s = assessment_school
    for code, practical in (("LIK_1", s.lik1), ("LIK_2", s.lik2)):
        judge(s.submit(s.trainee, code), s.trainee, s.assessor, practical, "K")
    result = lookups.unit_result(s.trainee)
    assert result.test.status == "belum-ikut"
    assert result.status == "dalam-proses" and result.missing == ["Tes tertulis belum diikuti."]


def test_finalising_records_result_changes_in_the_audit_log(assessment_school):
    s = assessment_school
    judge(s.submit(s.trainee, "LIK_1"), s.trainee, s.assessor, s.lik1, "K")
    judge(s.submit(s.trainee, "LIK_2"), s.trainee, s.assessor, s.lik2, "BK")
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("assessment.finalise", "assessment.result", "unit.status")))))
    by_action = {}
    for event in events:
        by_action.setdefault(event.action, []).append(event)
    assert len(by_action["assessment.finalise"]) == 2
    assert {e.detail["practical"] for e in by_action["assessment.result"]} == {"LIK_1", "LIK_2"}
    # LIK_1 K leaves the unit in process; the BK on LIK_2 decides it, and that change is audited.
    assert [(e.detail["from"], e.detail["to"], e.detail["cause"]) for e in by_action["unit.status"]] == [
        ("dalam-proses", "belum-kompeten", "penilaian")]
    assert all(e.actor_id == s.assessor.id for e in events)


def test_time_parsing():
    assert form_input.parse_seconds("83") == 83
    assert form_input.parse_seconds(" 1:23 ") == 83
    assert form_input.parse_seconds("1:02:03") == 3723
    assert form_input.parse_seconds("") is None
    for bad in ("1:75", "abc", "-3", "1.5"):
        with pytest.raises(ServiceError):
            form_input.parse_seconds(bad)
    assert form_input.format_seconds(83) == "1:23" and form_input.format_seconds(3723) == "1:02:03"


def test_observed_attitudes_are_recorded_and_a_k_needs_them_all_k(assessment_school):
    """The unit names two attitudes (komunikatif, responsif): each is marked K/BK with the points."""
    s = assessment_school
    assert [a["id"] for a in s.lik2.attitudes] == ["komunikatif", "responsif"]
    version = s.submit(s.trainee, "LIK_2")
    draft = judgements.start_or_resume_draft(version, s.trainee, s.assessor)
    with pytest.raises(ServiceError) as err:     # every point K, but responsif BK: no overall K
        judgements.save_marks(draft, s.assessor, marks_for(s.lik2), "K", "", "",
                           {**attitudes_for(s.lik2), "responsif": {"result": "BK", "comment": "Lambat"}})
    assert "Responsif" in err.value.message
    judgements.save_marks(draft, s.assessor, marks_for(s.lik2), "BK", "", "", {"komunikatif": {"result": "K"}})
    with pytest.raises(ServiceError) as err:     # an unmarked attitude blocks finalising
        judgements.finalise(draft, s.assessor)
    assert "Responsif" in err.value.message
    judgements.save_marks(draft, s.assessor, marks_for(s.lik2), "K", "", "", attitudes_for(s.lik2))
    final = judgements.finalise(draft, s.assessor)
    assert final.attitude_marks["responsif"]["result"] == "K"
    final.attitude_marks = {}                    # frozen with the rest of a final judgement
    with pytest.raises(ServiceError):
        db.session.commit()
    db.session.rollback()
