"""URLs of the clinic app. Every view here is covered by ``tests/web/test_isolation.py``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as static_serve
from django.urls import path, re_path
from django.views.generic import RedirectView

from kinetrace.web.api import api
from kinetrace.web.views import (
    exam,
    io,
    learning,
    notes,
    paperwork,
    patients,
    proms,
    screen,
    sessions,
    video,
    workbench,
)
from kinetrace.web.views.account_urls import urlpatterns as account_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="patients", permanent=False), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *account_urls,
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("patients/", patients.patient_list, name="patients"),
    path("patients/new/", patients.patient_new, name="patient_new"),
    path("patients/<int:patient_id>/", patients.patient_detail, name="patient"),
    path("import/", io.import_case, name="import"),
    path("audit/", io.audit_log, name="audit"),
    path("clinic/learning/", learning.learning, name="learning"),
    path("episodes/<int:episode_id>/", patients.episode_intake, name="episode"),
    path("episodes/<int:episode_id>/complaint/", patients.complaint_toggle, name="complaint_toggle"),
    path("episodes/<int:episode_id>/exam/", exam.exam, name="exam"),
    path("episodes/<int:episode_id>/exam/findings/", exam.finding_add, name="finding_add"),
    path("episodes/<int:episode_id>/exam/markers/", exam.marker_add, name="marker_add"),
    path("episodes/<int:episode_id>/findings/<int:finding_id>/delete/", exam.finding_delete, name="finding_delete"),
    path("episodes/<int:episode_id>/markers/<int:marker_id>/delete/", exam.marker_delete, name="marker_delete"),
    path("episodes/<int:episode_id>/findings/<int:finding_id>/edit/", exam.finding_edit, name="finding_edit"),
    path("episodes/<int:episode_id>/markers/<int:marker_id>/edit/", exam.marker_edit, name="marker_edit"),
    path("episodes/<int:episode_id>/findings/<int:finding_id>/restore/", exam.finding_restore, name="finding_restore"),
    path("episodes/<int:episode_id>/markers/<int:marker_id>/restore/", exam.marker_restore, name="marker_restore"),
    path("episodes/<int:episode_id>/undo/<int:record_id>/", exam.undo_delete, name="undo_delete"),
    path("episodes/<int:episode_id>/exam/screen/", screen.exam_screen, name="exam_screen"),
    path("exam-templates/", screen.template_list, name="exam_templates"),
    path("exam-templates/<int:template_id>/", screen.template_edit, name="exam_template"),
    path("episodes/<int:episode_id>/sessions/<int:session_id>/note/", notes.session_note, name="session_note"),
    path("episodes/<int:episode_id>/proms/", proms.prom_list, name="proms"),
    path(
        "episodes/<int:episode_id>/sessions/<int:session_id>/proms/<str:instrument>/",
        proms.prom_entry,
        name="prom_entry",
    ),
    path(
        "episodes/<int:episode_id>/sessions/<int:session_id>/proms/<str:instrument>/patient/",
        proms.patient_mode_start,
        name="patient_mode_start",
    ),
    path("patient-mode/", proms.prom_patient, name="prom_patient"),
    path("patient-mode/exit/", proms.patient_mode_exit, name="prom_patient_exit"),
    path("episodes/<int:episode_id>/sessions/<int:session_id>/note/sign/", notes.note_sign, name="note_sign"),
    path("episodes/<int:episode_id>/plan/<int:plan_id>/edit/", sessions.plan_edit, name="plan_edit"),
    path("episodes/<int:episode_id>/goals/<int:goal_id>/delete/", sessions.goal_delete, name="goal_delete"),
    path("episodes/<int:episode_id>/summary/", paperwork.summary_edit, name="summary_edit"),
    re_path(r"^episodes/(?P<episode_id>\d+)/export\.(?P<fmt>fhir\.json|csv)$", paperwork.download, name="download"),
    path("episodes/<int:episode_id>/workbench/", workbench.workbench_page, name="workbench"),
    path("episodes/<int:episode_id>/workbench/trial/", workbench.trial_record, name="trial_record"),
    path("episodes/<int:episode_id>/workbench/preview/", workbench.trial_preview, name="trial_preview"),
    path("episodes/<int:episode_id>/workbench/undo/", workbench.trial_undo, name="trial_undo"),
    path("episodes/<int:episode_id>/sessions/", sessions.sessions, name="sessions"),
    path("episodes/<int:episode_id>/plan/", sessions.plan_add, name="plan_add"),
    path("episodes/<int:episode_id>/plan/<int:plan_id>/delete/", sessions.plan_delete, name="plan_delete"),
    path("episodes/<int:episode_id>/goals/", sessions.goal_add, name="goal_add"),
    path("episodes/<int:episode_id>/goals/<int:goal_id>/", sessions.goal_update, name="goal_update"),
    path("episodes/<int:episode_id>/videos/", video.videos, name="videos"),
    path("episodes/<int:episode_id>/videos/<int:video_id>/", video.video, name="video"),
    path("episodes/<int:episode_id>/videos/<int:video_id>/markers/", video.video_markers, name="video_markers"),
    path(
        "episodes/<int:episode_id>/videos/<int:video_id>/images/<slug:name>.png", video.video_image, name="video_image"
    ),
    re_path(r"^episodes/(?P<episode_id>\d+)/export\.(?P<fmt>yaml|json)$", io.export, name="export"),
    re_path(
        r"^episodes/(?P<episode_id>\d+)/report/(?P<kind>clinician|patient)\.(?P<report_fmt>html|pdf)$",
        io.report,
        name="report",
    ),
    # Static files (the app's, the admin's, the API docs') are served by the app itself through the
    # staticfiles finders: a small loopback clinic app without a separate web server.
    re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}, name="static"),
]
