"""assessment integrity: bank pools and levels, per-class test settings, void judgements

Revision ID: 0008
Revises: 0007

Data changes for existing installations:
- every existing question starts in the `ujian` pool; the next `flask init` (content sync) moves
  shipped items to the pool their file names, and editor/imported items stay in `ujian`;
- every existing class window gets a copy of its quiz's current settings, so no class's result
  changes;
- judgements of a partner (who was judged from someone else's video) and judgements by an
  assessor who appears in the video are kept but marked void, with one audit entry each.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# recreate='never': SQLite (3.35+) adds and drops these columns in place. Recreating a table
# would drop the old one, and with foreign keys on that cascades into quiz_windows and attempts.
SETTINGS = ("items_per_attempt", "time_limit_minutes", "attempts_allowed", "counting", "pass_mark")


def upgrade():
    with op.batch_alter_table('questions', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('pool', sa.String(length=8), server_default='ujian', nullable=False))
        batch_op.add_column(sa.Column('level', sa.String(length=10), server_default='penerapan', nullable=False))
        batch_op.create_index(batch_op.f('ix_questions_pool'), ['pool'], unique=False)

    with op.batch_alter_table('quizzes', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('review_policy', sa.String(length=16), server_default='langsung',
                                      nullable=False))

    with op.batch_alter_table('quiz_windows', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('items_per_attempt', sa.Integer(), server_default='20', nullable=False))
        batch_op.add_column(sa.Column('time_limit_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts_allowed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counting', sa.String(length=8), server_default='highest', nullable=False))
        batch_op.add_column(sa.Column('pass_mark', sa.Integer(), server_default='75', nullable=False))
    for name in SETTINGS:
        op.execute(f"UPDATE quiz_windows SET {name} = (SELECT quizzes.{name} FROM quizzes "
                   f"WHERE quizzes.id = quiz_windows.quiz_id)")

    with op.batch_alter_table('judgements', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('void_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('attitude_marks', sa.JSON(), server_default='{}', nullable=False))
    _void_judgements()
    with op.batch_alter_table('practicals', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('attitudes', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('checklist_points', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('follow_up', sa.JSON(), server_default='[]', nullable=False))


def _void_judgements():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT j.id, j.trainee_id, j.assessor_id, j.state, j.recommendation, s.trainee_id AS submitter_id, "
        "v.partner_id FROM judgements j "
        "JOIN practical_submission_versions v ON v.id = j.version_id "
        "JOIN practical_submissions s ON s.id = v.submission_id")).mappings().all()
    audit = sa.table('audit_events', sa.column('at', sa.DateTime), sa.column('actor_id', sa.Integer),
                     sa.column('action', sa.String), sa.column('target', sa.String),
                     sa.column('address', sa.String), sa.column('detail', sa.JSON))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for row in rows:
        if row["trainee_id"] != row["submitter_id"]:
            reason = "pasangan"
        elif row["assessor_id"] in (row["submitter_id"], row["partner_id"]):
            reason = "menilai-diri-sendiri"
        else:
            continue
        conn.execute(sa.text("UPDATE judgements SET void_reason = :r WHERE id = :id"),
                     {"r": reason, "id": row["id"]})
        op.bulk_insert(audit, [{
            "at": now, "actor_id": None, "action": "assessment.void", "target": f"judgement:{row['id']}",
            "address": None, "detail": {"reason": reason, "trainee": row["trainee_id"], "state": row["state"],
                                        "recommendation": row["recommendation"], "by": "migration 0008"}}])


def downgrade():
    with op.batch_alter_table('checklist_points', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('follow_up')
    with op.batch_alter_table('practicals', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('attitudes')
    with op.batch_alter_table('judgements', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('attitude_marks')
        batch_op.drop_column('void_reason')
    with op.batch_alter_table('quiz_windows', schema=None, recreate='never') as batch_op:
        for name in reversed(SETTINGS):
            batch_op.drop_column(name)
    with op.batch_alter_table('quizzes', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('review_policy')
    with op.batch_alter_table('questions', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_pool'))
        batch_op.drop_column('level')
        batch_op.drop_column('pool')
