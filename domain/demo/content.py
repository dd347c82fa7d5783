"""Fictional demo data for Fokus: four guidance processes and about sixty journal entries.

Everything here is invented and written in our own words. No real families, no names:
processes carry pseudonymous codes and people are "the mother", "the father", "the baby".

Pure stdlib data on purpose, so the seeder, tests and docs can import it without an app
context. Ids used below (kinds, themes, subthemes, vocab ids) must exist in
domain/catalogue/themes.py; tests/test_demo_content.py checks that.

A few entries carry distinctive words a newcomer can try in search: "lighthouse",
"bathtime", "raincoat", "metronome".
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "demo-password-2026"

DEMO_USERS: list[dict[str, str]] = [
    {"username": "demo", "display_name": "Demo Therapist", "role": "therapist"},
    {"username": "supervisor", "display_name": "Demo Supervisor", "role": "supervisor"},
    *(
        {"username": f"colleague{i}", "display_name": f"Seminar Colleague {i}", "role": "therapist"}
        for i in range(1, 6)
    ),
]

# ---------------------------------------------------------------------------------------
# Guidance processes
# ---------------------------------------------------------------------------------------
# p1: CPS-commissioned, growing concern, ended early after a report.
# p2: voluntary referral that ran its course and went well.
# p3: ongoing, parent's own history very present, child talked about as difficult.
# p4: ongoing, early stage, mother reluctant to be on film.

PROCESSES: list[dict[str, Any]] = [
    {
        "key": "p1",
        "code": "MM-24-07",
        "working_goal": "Calmer, more responsive feeding times",
        "dialogue_element": "Following the baby's initiative",
        "films": 5,
        "reviews": 4,
        "cps_commissioned": True,
        "status": "ended_early",
        "screening": [
            "child_protection",
            "parental_insecurity",
            "filming_reluctance",
            "no_progress_under_pressure",
        ],
        "notes": "Referred by child protection. Ended after film 5; concern sent to the caseworker.",
    },
    {
        "key": "p2",
        "code": "MM-24-11",
        "working_goal": "More shared joy in play with the father",
        "dialogue_element": "Naming what the baby is doing and feeling",
        "films": 8,
        "reviews": 7,
        "cps_commissioned": False,
        "status": "completed",
        "screening": ["parental_insecurity"],
        "notes": "Health-visitor referral. Father hesitant at first; closed as planned.",
    },
    {
        "key": "p3",
        "code": "MM-25-02",
        "working_goal": "Noticing what the baby is asking for",
        "dialogue_element": "Turn-taking: waiting for the baby's reply",
        "films": 5,
        "reviews": 4,
        "cps_commissioned": False,
        "status": "ongoing",
        "screening": ["unresolved_problems", "parent_own_childhood", "child_seen_as_hostile"],
        "notes": "Mother has agreed that I may talk to her GP. Teasing at feeding to watch.",
    },
    {
        "key": "p4",
        "code": "MM-25-05",
        "working_goal": "A calm, friendly evening routine",
        "dialogue_element": "Leading: clear, kind structure at bathtime",
        "films": 3,
        "reviews": 2,
        "cps_commissioned": False,
        "status": "ongoing",
        "screening": ["filming_reluctance"],
        "notes": "Filmed at bathtime by her choice. Mother's face blurred in early clips.",
    },
]

# ---------------------------------------------------------------------------------------
# Entry builders
# ---------------------------------------------------------------------------------------
# Every entry gets the full key set for its kind, so consumers can index without .get()
# and a typo in a field name fails loudly at import time instead of vanishing.

_KIND_FIELDS: dict[str, dict[str, Any]] = {
    "hard_session": {
        "what_happened": "",
        "what_made_it_hard": "",
        "what_helped": "",
        "what_did_not_help": "",
        "effect": "unclear",
        "effect_note": "",
        "how_it_left_me": "",
    },
    "countertransference": {
        "feelings": [],
        "feelings_other": "",
        "intensity": 0,
        "body": "",
        "trigger": "",
        "whose": [],
        "what_i_did": "",
    },
    "ethical_dilemma": {
        "dilemma": "",
        "dilemma_type": "other",
        "concern_level": "none",
        "options": "",
        "consulted": "",
        "decision": "",
        "follow_up_days": None,
    },
    "bright_moment": {
        "what_happened": "",
        "what_made_it_possible": "",
        "how_it_left_me": "",
    },
}


def _film(film: str, timestamp: str, shows: str) -> dict[str, str]:
    return {"film": film, "timestamp": timestamp, "shows": shows}


def _entry(
    kind: str,
    days_ago: int,
    title: str,
    *,
    process: str | None = None,
    themes: tuple[str, ...] = (),
    subthemes: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    supervision: str = "no",
    film_refs: tuple[dict[str, str], ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    unknown = set(fields) - set(_KIND_FIELDS[kind])
    if unknown:
        raise ValueError(f"unknown field(s) for {kind}: {sorted(unknown)}")
    # A subtheme implies its theme; listing it again by hand is easy to forget.
    all_themes = list(dict.fromkeys([*themes, *(s.split(".", 1)[0] for s in subthemes)]))
    return {
        "days_ago": days_ago,
        "kind": kind,
        "title": title,
        "process": process,
        "themes": all_themes,
        "subthemes": list(subthemes),
        "tags": list(tags),
        "supervision": supervision,
        "film_refs": [dict(f) for f in film_refs],
        **{k: (list(v) if isinstance(v, list) else v) for k, v in _KIND_FIELDS[kind].items()},
        **{k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in fields.items()},
    }


def _hard(days_ago: int, title: str, **kw: Any) -> dict[str, Any]:
    return _entry("hard_session", days_ago, title, **kw)


def _ct(days_ago: int, title: str, **kw: Any) -> dict[str, Any]:
    return _entry("countertransference", days_ago, title, **kw)


def _dilemma(days_ago: int, title: str, **kw: Any) -> dict[str, Any]:
    return _entry("ethical_dilemma", days_ago, title, **kw)


def _bright(days_ago: int, title: str, **kw: Any) -> dict[str, Any]:
    return _entry("bright_moment", days_ago, title, **kw)


# ---------------------------------------------------------------------------------------
# Entries, oldest first within each block
# ---------------------------------------------------------------------------------------

_P1_ENTRIES = [
    _hard(
        176, "First visit MM-24-07: few words, stiff posture",
        process="p1",
        subthemes=("coercive_context.compliance_from_fear", "coercive_context.camera_as_control",
                   "safe_alliance.filming_reluctance"),
        tags=("first visit", "cps"),
        what_happened=("The mother agreed to be filmed but sat on the edge of the sofa and "
                       "answered in single words. The baby lay quietly in the bouncer most of the hour."),
        what_made_it_hard=("She asked twice who would get to see the film. I suspect she imagines "
                           "the caseworker going through it frame by frame."),
        what_helped="Telling her plainly that the film stays with us and is only used to find good moments.",
        effect="unclear",
        effect_note="Far too early to say.",
        how_it_left_me="Tense shoulders all the way home. Hoping the next visit is softer.",
    ),
    _ct(
        170, "Bottle pulled away",
        process="p1",
        subthemes=("therapist_feelings.witnessing_hostility", "coercive_context.positives_vs_concern"),
        tags=("feeding",),
        supervision="yes",
        film_refs=(_film("2", "06:40", "Bottle taken away as the baby reaches; his gaze drops"),),
        feelings=["anxiety", "protectiveness"],
        intensity=6,
        body="Tight throat, shallow breathing.",
        trigger="The baby turned his head from the bottle and the mother yanked it back out of reach.",
        whose=["mine", "child"],
        what_i_did="Kept the camera steady, breathed out slowly and wrote it down in the car.",
    ),
    _dilemma(
        164, "A worrying clip in a positives-only review",
        process="p1",
        subthemes=("coercive_context.positives_vs_concern",),
        tags=("feeding",),
        supervision="yes",
        dilemma=("Film 2 has a feeding sequence that worries me. Reviews are meant to show only "
                 "what works, but staying silent about this feels unfair to the baby."),
        dilemma_type="concern_in_positive_method",
        concern_level="some",
        options=("Show only the two warm moments and raise feeding separately; talk to the "
                 "caseworker first; or say nothing yet and film once more."),
        consulted="A colleague on my team, briefly over lunch.",
        decision=("Keep the review itself positive, then name my worry to the mother in a "
                  "separate conversation with the film switched off."),
        follow_up_days=7,
    ),
    _hard(
        157, "Review of film 2: she kept looking at the floor",
        process="p1",
        subthemes=("safe_alliance.heard_as_criticism", "positive_moments.flooded_or_shut_down",
                   "therapist_feelings.over_eagerness"),
        tags=("review",),
        what_happened=("I showed a short clip where the baby reaches for her face. She glanced "
                       "away and said it only happened by chance."),
        what_made_it_hard=("Nothing I pointed at seemed real to her; every clip landed like a test she "
                           "expected to fail."),
        what_helped="Pausing on the baby's face and asking what she thought he wanted just then.",
        what_did_not_help="Explaining the dialogue element a second time. I talked far too much.",
        effect="none",
        effect_note="No change in feeding between film 1 and film 2.",
        how_it_left_me="Flat and a little defeated.",
    ),
    _dilemma(
        150, "Caseworker wants an assessment, not guidance",
        process="p1",
        subthemes=("coercive_context.mandate",),
        tags=("cps", "mandate"),
        dilemma=("The caseworker now wants a written view on the mother's parenting after six "
                 "sessions. That was never agreed and the mother has not been told."),
        dilemma_type="unclear_mandate",
        concern_level="some",
        options=("Write something vague; refuse the reporting part; or meet the caseworker and "
                 "the mother together to agree what is shared."),
        consulted="My team leader, then the caseworker by phone.",
        decision="Asked for a meeting with all three of us before film 4 to settle what the guidance is for.",
        follow_up_days=14,
    ),
    _ct(
        146, "Phone call in the middle of a review",
        process="p1",
        subthemes=("coercive_context.camera_as_control", "coercive_context.mandate"),
        feelings=["irritation", "helplessness"],
        intensity=5,
        body="Clenched jaw.",
        trigger="The caseworker rang my phone during the review to ask how things were going.",
        whose=["mine", "relationship"],
        what_i_did="Let it ring out and told the mother afterwards who had called and why.",
    ),
    _hard(
        139, "Film 4: same pattern, review meeting looming",
        process="p1",
        subthemes=("coercive_context.no_progress_under_pressure", "therapist_feelings.nothing_moves"),
        tags=("cps", "feeding"),
        supervision="yes",
        what_happened=("Fourth film, same picture at feeding: the baby signals, and the bottle "
                       "either comes too fast or is taken away."),
        what_made_it_hard=("The planning meeting with child protection is in three weeks and I have nothing "
                           "that looks like change."),
        what_helped="A team meeting where I sorted what I actually saw from what I am afraid of.",
        what_did_not_help="Filming for longer in the hope of catching something good.",
        effect="none",
        how_it_left_me="Restless that night.",
    ),
    _ct(
        134, "Editing film 4 at my desk",
        process="p1",
        subthemes=("therapist_feelings.closeness_imprint", "therapist_feelings.nothing_moves"),
        supervision="yes",
        film_refs=(_film("4", "11:02", "Baby stops reaching and goes still"),),
        feelings=["despair", "guilt"],
        intensity=9,
        body="Heavy chest and a knot in my stomach.",
        trigger="Replaying the moment the baby gave up reaching, again and again while editing.",
        whose=["mine", "child"],
        what_i_did="Stopped editing, walked round the block, then rang my supervisor.",
    ),
    _dilemma(
        131, "Send a concern to child protection now?",
        process="p1",
        subthemes=("coercive_context.whether_to_report", "coercive_context.positives_vs_concern"),
        tags=("cps", "report"),
        supervision="urgent",
        dilemma=("Across four films the baby's signals are mostly missed or met with teasing. "
                 "I no longer think guidance alone can change this quickly enough for him."),
        dilemma_type="report_cps",
        concern_level="serious",
        options=("Wait and raise it at the planned meeting; send a written concern this week; "
                 "or end the guidance and report at the same time."),
        consulted="External supervisor and my team leader.",
        decision="Send a written concern this week, and tell the mother myself before it goes.",
        follow_up_days=3,
    ),
    _ct(
        130, "Shaking after deciding to report",
        process="p1",
        subthemes=("coercive_context.whether_to_report", "therapist_feelings.closeness_imprint"),
        feelings=["overwhelm", "guilt", "protectiveness"],
        intensity=10,
        body="Hands shaking, could not eat lunch.",
        trigger="Writing the concern letter and picturing her face when she reads it.",
        whose=["mine", "relationship"],
        what_i_did="Asked a colleague to read the letter with me before sending.",
    ),
    _hard(
        128, "Telling the mother about the concern",
        process="p1",
        subthemes=("coercive_context.whether_to_report", "safe_alliance.heard_as_criticism"),
        tags=("report",),
        supervision="yes",
        what_happened=("I told her I had sent my concern to the caseworker. She cried, then went completely "
                       "quiet."),
        what_made_it_hard="I had been the one showing her good moments. Now I was also the one reporting.",
        what_helped="Being open about exactly what I wrote and reading it out to her.",
        effect="unclear",
        how_it_left_me="Sad, and oddly relieved that it is out in the open.",
    ),
    _dilemma(
        121, "Continue or close MM-24-07?",
        process="p1",
        subthemes=("coercive_context.ending_early", "coercive_context.mandate"),
        tags=("cps", "ending"),
        supervision="yes",
        dilemma=("Since the concern was sent the mother cancels most visits. Child protection "
                 "wants the guidance to go on as part of their plan."),
        dilemma_type="continue_or_end",
        concern_level="serious",
        options="Continue with a smaller goal; pause until the assessment is done; or end and hand over.",
        consulted="Supervisor and caseworker.",
        decision=("End the guidance now and write a short closing note. The baby's safety now sits with "
                  "child protection."),
        follow_up_days=30,
    ),
    _ct(
        117, "Writing the closing note",
        process="p1",
        subthemes=("coercive_context.ending_early", "therapist_feelings.closeness_imprint"),
        supervision="yes",
        feelings=["sadness", "guilt", "relief"],
        feelings_other="a kind of grief for the baby",
        intensity=7,
        body="Tired all over.",
        trigger="Writing the closing note for MM-24-07.",
        whose=["mine"],
        what_i_did="Put the case on the agenda for the next seminar.",
    ),
    _bright(
        110, "The seminar group held this with me",
        process="p1",
        subthemes=("therapist_feelings.closeness_imprint",),
        tags=("seminar",),
        what_happened=("Presented MM-24-07 at the seminar. Two colleagues had ended processes "
                       "in a similar way and nobody treated it as my failure."),
        what_made_it_possible="A group that has met for years and does not judge.",
        how_it_left_me="Lighter. I could sleep properly again.",
    ),
]

_P2_ENTRIES = [
    _hard(
        174, "Father stayed out of the frame",
        process="p2",
        subthemes=("safe_alliance.filming_reluctance",),
        tags=("father", "consent"),
        what_happened=("The father said he looks awful on camera and kept himself out of the picture the "
                       "whole visit."),
        what_made_it_hard="The working goal is about play with him, so a film without him felt pointless.",
        what_helped="Offering to film only the baby's face and hands, with him heard but not seen.",
        effect="unclear",
    ),
    _bright(
        166, "He laughed at film 3",
        process="p2",
        subthemes=("safe_alliance.trust_through_repetition", "therapist_feelings.joy_when_it_turns"),
        tags=("father", "review"),
        film_refs=(_film("3", "02:15", "Baby copies the father's tongue click; he grins"),),
        what_happened=("During the review of film 3 the father laughed out loud when the baby copied his "
                       "tongue click."),
        what_made_it_possible=("Three reviews in a row that only showed what went well. He seems to trust "
                               "that now."),
        how_it_left_me="Light and grateful.",
    ),
    _ct(
        160, "Watching her listen for his voice",
        process="p2",
        subthemes=("therapist_feelings.joy_when_it_turns",),
        feelings=["tenderness", "joy"],
        intensity=3,
        body="Warm face, a smile I could not hide.",
        trigger="Editing film 3: the baby turns her head to find her father's voice.",
        whose=["mine", "relationship"],
        what_i_did="Let myself enjoy it and marked the clip for the next review.",
    ),
    _hard(
        152, "I raced through the turn-taking clip",
        process="p2",
        subthemes=("therapist_feelings.over_eagerness", "positive_moments.film_techniques"),
        tags=("tempo", "metronome"),
        what_happened=("I was so keen to show the turn-taking clip that I played it through at "
                       "full speed and explained it twice."),
        what_made_it_hard="He had no room to discover it himself. I was ticking like a metronome.",
        what_helped="Going back, freezing one frame and keeping quiet.",
        what_did_not_help="My own running commentary.",
        effect="some",
        effect_note="He names the baby's sounds more often in film 4.",
        how_it_left_me="A bit embarrassed, but it was a useful lesson.",
    ),
    _bright(
        140, "He brought a question of his own",
        process="p2",
        subthemes=("safe_alliance.parents_bring_concerns",),
        what_happened=("The father asked whether his short temper in the evenings might frighten "
                       "the baby. It is the first time he has raised anything himself."),
        what_made_it_possible="The reviews feel safe enough now that he can bring something real.",
        how_it_left_me="Moved, and a little protective of his courage.",
    ),
    _ct(
        126, "His father's shouting",
        process="p2",
        subthemes=("positive_moments.parent_childhood", "therapist_feelings.own_history"),
        feelings=["anxiety", "tenderness"],
        intensity=4,
        body="Restless hands.",
        trigger="He described being shouted at by his own father, in a flat voice.",
        whose=["parent", "my_history"],
        what_i_did="Listened, then gently steered us back to the film.",
    ),
    _hard(
        112, "Review drifted into his childhood",
        process="p2",
        subthemes=("positive_moments.past_and_present", "positive_moments.parent_childhood"),
        what_happened="Most of the review went on his memories of being left alone a lot as a boy.",
        what_made_it_hard="I wanted to give that space, but we only looked at one clip all session.",
        what_helped="Saying out loud that both things matter, and agreeing to end with the baby.",
        effect="some",
    ),
    _bright(
        98, "The pause button did the work",
        process="p2",
        subthemes=("positive_moments.film_techniques", "positive_moments.new_view_of_child"),
        tags=("stills",),
        film_refs=(_film("5", "03:48", "Still: baby looks straight at the father after a shared laugh"),),
        what_happened=("I froze the frame where the baby looks right at him after they laugh "
                       "together. He stayed with that still for a long time without speaking."),
        what_made_it_possible="A close-up, one still, and me keeping my mouth shut.",
        how_it_left_me="Quietly happy.",
    ),
    _dilemma(
        76, "Two extra films, or close as planned?",
        process="p2",
        subthemes=("safe_alliance.parents_bring_concerns",),
        tags=("ending",),
        dilemma=("The father asks for two more films after the planned eight. Things are going "
                 "well, and I wonder whether more would help him or make it harder to finish."),
        dilemma_type="continue_or_end",
        concern_level="none",
        options="Close as planned; add two films with a clear end date; or close and offer a check-in later.",
        consulted="Peer from the seminar group.",
        decision="Close as planned and offer one follow-up visit in three months.",
        follow_up_days=90,
    ),
    _bright(
        83, "The baby seeks him out now",
        process="p2",
        subthemes=("positive_moments.new_view_of_child", "therapist_feelings.joy_when_it_turns"),
        film_refs=(_film("7", "01:10", "Baby crawls over and tugs at his sleeve"),),
        what_happened=("In film 7 the baby crawls over and tugs at the father's sleeve, and he "
                       "puts words to it at once."),
        what_made_it_possible="Weeks of practising naming in small everyday moments.",
    ),
    _bright(
        61, "Closing session MM-24-11",
        process="p2",
        subthemes=("positive_moments.new_view_of_child", "safe_alliance.trust_through_repetition"),
        tags=("ending",),
        what_happened=("Final review. We watched the first and last films side by side and he "
                       "noticed the change in himself before I said anything."),
        what_made_it_possible="His curiosity and a steady rhythm of visits.",
        how_it_left_me="Proud of both of us.",
    ),
]

_P3_ENTRIES = [
    _hard(
        90, "Baby 'does it on purpose', says the mother",
        process="p3",
        subthemes=("positive_moments.child_out_of_focus", "safe_alliance.focus_on_child"),
        tags=("nappy change",),
        what_happened=("When the baby arched away during the nappy change, the mother said he does it to "
                       "wind her up."),
        what_made_it_hard="Hard to find a single clip where she might see things from his side.",
        what_helped="Slowing right down on one moment where he looks for her after crying.",
        what_did_not_help="Explaining ordinary infant behaviour; it came out like a lecture.",
        effect="unclear",
    ),
    _ct(
        86, "Mocking the crying",
        process="p3",
        subthemes=("therapist_feelings.witnessing_hostility",),
        supervision="yes",
        film_refs=(_film("1", "07:05", "Mother imitates the baby's crying in a mocking voice"),),
        feelings=["anger", "protectiveness"],
        intensity=7,
        body="Heat rising in my chest.",
        trigger="The mother imitating the baby's crying in a mocking voice during film 1.",
        whose=["child", "mine"],
        what_i_did="Did not step in while filming. Noted the time stamp for supervision.",
    ),
    _dilemma(
        82, "Is the mocking enough to report?",
        process="p3",
        subthemes=("coercive_context.whether_to_report", "coercive_context.positives_vs_concern"),
        supervision="yes",
        dilemma=("Mocking and teasing around crying in two films. No rough handling seen, and "
                 "child protection is not involved."),
        dilemma_type="report_cps",
        concern_level="some",
        options=("Report now; raise it directly and kindly with the mother; or watch two more films and "
                 "consult."),
        consulted="My external supervisor.",
        decision=("Name my worry to the mother, document it, and review with the supervisor after the next "
                  "film."),
        follow_up_days=14,
    ),
    _hard(
        77, "She went blank at the first clip",
        process="p3",
        subthemes=("positive_moments.flooded_or_shut_down", "safe_alliance.double_gaze"),
        what_happened="She watched the first clip and then said nothing at all for the rest of the session.",
        what_made_it_hard="I could not tell whether she was overwhelmed or simply somewhere else.",
        what_helped="Stopping the film and asking about her week instead.",
        what_did_not_help="Trying a second clip straight away.",
        effect="unclear",
        how_it_left_me="Unsure of myself.",
    ),
    _bright(
        74, "Theory gave me words again",
        process="p3",
        subthemes=("therapist_feelings.nothing_moves",),
        tags=("theory", "reading"),
        what_happened=("Re-read a chapter on early attunement over the weekend. It gave me "
                       "language for what I keep seeing in MM-25-02."),
        what_made_it_possible="A free Sunday and a book a colleague lent me.",
        how_it_left_me="Curious instead of stuck.",
    ),
    _ct(
        70, "Nobody played with her",
        process="p3",
        subthemes=("positive_moments.parent_childhood", "therapist_feelings.own_history"),
        feelings=["sadness", "loneliness"],
        intensity=6,
        body="A lump in my throat.",
        trigger="She told me nobody ever got down on the floor to play with her when she was small.",
        whose=["parent", "my_history"],
        what_i_did="Acknowledged it, stayed with it a moment, then we went back to the baby.",
    ),
    _hard(
        66, "Choosing clips for review 2",
        process="p3",
        subthemes=("positive_moments.clip_choice", "positive_moments.film_techniques"),
        tags=("editing",),
        what_happened=("An hour at my desk choosing clips. Anything with crying may be too much for her "
                       "right now."),
        what_made_it_hard="The good moments are tiny, two or three seconds each.",
        what_helped="Choosing one short clip and planning to repeat it slowly.",
        effect="some",
        effect_note="She holds his gaze a little longer in film 2 than in film 1.",
    ),
    _dilemma(
        60, "Should her own treatment be involved?",
        process="p3",
        subthemes=("safe_alliance.parents_bring_concerns",),
        tags=("gp", "coordination"),
        dilemma=("She mentions a psychologist she stopped seeing last year. Her low mood is "
                 "shaping every visit. Should I suggest she goes back, and may I contact them?"),
        dilemma_type="other",
        concern_level="some",
        options="Leave it to her; suggest she restarts; ask consent to coordinate with her GP.",
        consulted="A colleague on my team.",
        decision="Asked for consent to talk with her GP. She said yes.",
        follow_up_days=21,
    ),
    _ct(
        55, "She keeps steering to her ex",
        process="p3",
        subthemes=("positive_moments.child_out_of_focus", "therapist_feelings.nothing_moves"),
        feelings=["helplessness", "frustration"],
        intensity=5,
        body="Tired eyes, slumped in the chair.",
        trigger="Third review in a row where every clip leads to a story about her ex-partner.",
        whose=["relationship", "unsure"],
        what_i_did="Wrote it down to bring to the seminar.",
    ),
    _bright(
        48, "She smiled back at the still",
        process="p3",
        subthemes=("positive_moments.film_techniques", "positive_moments.new_view_of_child"),
        film_refs=(_film("3", "01:22", "Close-up of the baby mid-smile, looking up"),),
        what_happened=("I paused on his face mid-smile. She smiled back at the screen and asked to see it "
                       "again."),
        what_made_it_possible="Keeping it very short and letting her decide when to replay.",
        how_it_left_me="Hopeful for the first time in this process.",
    ),
    _hard(
        41, "Turned away at the door in the rain",
        process="p3",
        subthemes=("safe_alliance.trust_through_repetition",),
        tags=("raincoat", "cancelled"),
        what_happened=("She opened the door and said today was not a good day. We talked for ten "
                       "minutes on the doorstep, me in my raincoat."),
        what_made_it_hard="Forty minutes' drive for a doorstep chat.",
        what_helped="Staying friendly and booking the next visit there and then.",
        effect="unclear",
    ),
    _ct(
        33, "A very detailed disclosure",
        process="p3",
        subthemes=("therapist_feelings.intimate_disclosures", "therapist_feelings.closeness_imprint"),
        supervision="yes",
        feelings=["overwhelm", "numbness"],
        intensity=8,
        body="Heavy legs, foggy head afterwards.",
        trigger="She described violence in her childhood home in great detail and watched for my reaction.",
        whose=["parent", "mine"],
        what_i_did="Stayed calm and said it sounded terribly hard. Afterwards I worried I had seemed cold.",
    ),
    _dilemma(
        27, "How much of a friend should I be?",
        process="p3",
        subthemes=("therapist_feelings.intimate_disclosures",),
        dilemma="She wants me to be more of a friend. I want to stay warm without becoming her confidante.",
        dilemma_type="other",
        concern_level="none",
        options=("Hold the frame without comment; talk openly about roles; help her find support elsewhere "
                 "as well."),
        consulted="A peer from the seminar group.",
        decision="Talk about it openly next visit and remind her of the GP follow-up.",
        follow_up_days=10,
    ),
    _bright(
        20, "He reached up and she noticed",
        process="p3",
        subthemes=("positive_moments.new_view_of_child",),
        what_happened=("In film 4 the baby stretched both arms up to her, and she lifted him and said hello "
                       "to him."),
    ),
    _hard(
        12, "Teasing at feeding again in film 5",
        process="p3",
        subthemes=("coercive_context.positives_vs_concern", "therapist_feelings.witnessing_hostility"),
        tags=("feeding",),
        supervision="yes",
        what_happened="Two short episodes of teasing with the spoon at feeding, after weeks without any.",
        what_made_it_hard="Just when it had started to look different.",
        what_helped="Talking it through with the supervisor the same afternoon.",
        what_did_not_help="Going over it again and again in my head in the evening.",
        effect="some",
        effect_note="Better contact in play, but feeding is still a hot spot.",
        how_it_left_me="Worried and very tired.",
    ),
    _dilemma(
        11, "Teasing returned: report now?",
        process="p3",
        subthemes=("coercive_context.whether_to_report", "coercive_context.ending_early"),
        tags=("report",),
        supervision="urgent",
        dilemma=("After weeks of progress the teasing at feeding is back, and the baby now "
                 "turns away from the spoon. I need to decide whether this has become a safety matter."),
        dilemma_type="report_cps",
        concern_level="serious",
        options=("Report now; raise it openly with her at the next visit and decide then; or "
                 "consult child protection anonymously first."),
        consulted="External supervisor, by phone the same day.",
        decision=("Consult child protection anonymously this week and speak openly with her at the next "
                  "visit."),
        follow_up_days=7,
    ),
    _ct(
        4, "Cautious hope before film 6",
        process="p3",
        subthemes=("therapist_feelings.joy_when_it_turns",),
        feelings=["hope", "anxiety"],
        intensity=4,
        body="Butterflies.",
        trigger="The GP rang to say she has started seeing someone again.",
        whose=["mine"],
        what_i_did="Wrote down what I want to look for in the next film.",
    ),
]

_P4_ENTRIES = [
    _hard(
        45, "Only the baby on film, please",
        process="p4",
        subthemes=("safe_alliance.filming_reluctance", "coercive_context.camera_as_control"),
        tags=("bathtime", "consent"),
        what_happened="She agreed to filming at bathtime on one condition: her face never appears on screen.",
        what_made_it_hard="Most of the warm contact happens in her face.",
        what_helped="Agreeing to blur her face and let the baby's reactions tell the story.",
        effect="unclear",
    ),
    _dilemma(
        43, "Older sibling keeps walking into shot",
        process="p4",
        subthemes=("safe_alliance.filming_reluctance",),
        tags=("bathtime", "consent"),
        dilemma=("The older sibling keeps wandering into the bathtime film. Our consent covers only the "
                 "mother and baby."),
        dilemma_type="filming_consent",
        concern_level="none",
        options="Cut the sibling out when editing; ask both parents for consent; or film in another room.",
        consulted="My team leader.",
        decision="Edit the sibling out for now and ask both parents at the next visit.",
        follow_up_days=7,
    ),
    _bright(
        38, "Splash game at bathtime",
        process="p4",
        subthemes=("safe_alliance.focus_on_child", "positive_moments.clip_choice"),
        tags=("bathtime", "turn-taking"),
        film_refs=(_film("1", "05:30", "Baby slaps the water, looks up; mother splashes back gently"),),
        what_happened=("The baby slapped the water and looked up, and the mother splashed back "
                       "gently. Three full rounds of turn-taking."),
        what_made_it_possible="Warm water and a relaxed mother; bathtime is her best hour of the day.",
        how_it_left_me="Smiling in the car.",
    ),
    _hard(
        31, "A clip she heard as 'you missed it'",
        process="p4",
        subthemes=("safe_alliance.heard_as_criticism", "safe_alliance.double_gaze"),
        tags=("review",),
        what_happened=("I pointed out a moment where the baby looked for her. She heard that she "
                       "had missed it and closed up for the rest of the review."),
        what_made_it_hard="I had chosen the clip because I thought it was entirely positive.",
        what_helped="Saying clearly what I had seen her do well in that very moment.",
        what_did_not_help="Apologising too much.",
        effect="some",
        how_it_left_me="Reminded to watch her face, not only the screen.",
    ),
    _ct(
        24, "Soft spot for this little one",
        process="p4",
        subthemes=("therapist_feelings.closeness_imprint",),
        feelings=["tenderness", "protectiveness"],
        intensity=2,
        trigger="The baby fell asleep on my lap while the mother fetched a towel.",
        whose=["mine"],
        what_i_did="Enjoyed it, and noticed I must not become the person the baby turns to.",
    ),
    _bright(
        17, "Her baby's lighthouse",
        process="p4",
        subthemes=("positive_moments.new_view_of_child", "safe_alliance.trust_through_repetition"),
        tags=("lighthouse", "bathtime"),
        film_refs=(_film("2", "03:05", "Between splashes the baby checks back to the mother's face"),),
        what_happened=("In the review she saw the baby keep checking back to her face between "
                       "splashes. I called her his lighthouse, and she repeated the word to her partner."),
        what_made_it_possible="She let me show her face this time, unblurred.",
        how_it_left_me="Warm for the rest of the day.",
    ),
    # Deliberately a bare one-liner with no themes: the quickest possible capture.
    _hard(
        9, "Overtired baby, filming abandoned",
        process="p4",
        what_happened="Baby overtired; we stopped filming after ten minutes.",
    ),
    _bright(
        3, "She asked to see her own face",
        process="p4",
        subthemes=("safe_alliance.trust_through_repetition", "safe_alliance.filming_reluctance"),
        what_happened="She asked to watch the earlier clips again without the blur.",
        what_made_it_possible="Every review so far has shown her only at her best.",
        how_it_left_me="Touched.",
    ),
]

# Entries not tied to a single process: the therapist's own load, new referrals, support.
_GENERAL_ENTRIES = [
    _ct(
        180, "Sunday dread before a heavy Monday",
        subthemes=("therapist_feelings.closeness_imprint",),
        feelings=["anxiety", "overwhelm"],
        intensity=4,
        body="Restless sleep.",
        trigger="Three demanding families booked on the same day.",
        whose=["mine"],
        what_i_did="Moved one visit to Wednesday.",
    ),
    _hard(
        143, "The grandmother took over the review",
        subthemes=("safe_alliance.focus_on_child", "safe_alliance.double_gaze"),
        tags=("grandmother",),
        what_happened=("A family not yet in Fokus. The grandmother answered every question I put to the "
                       "mother."),
        what_made_it_hard="The mother shrank back and the baby was barely mentioned.",
        what_helped="Asking the grandmother to look out for the baby's signals with us.",
        effect="unclear",
    ),
    _ct(
        107, "Forgot to send a summary",
        themes=("therapist_feelings",),
        feelings=["shame"],
        intensity=1,
        trigger="Realised I never sent a review summary I had promised.",
        whose=["mine"],
        what_i_did="Sent it with an apology. Small thing.",
    ),
    _dilemma(
        92, "New CPS referral with no clear goal",
        subthemes=("coercive_context.mandate", "coercive_context.compliance_from_fear"),
        tags=("referral", "cps"),
        dilemma=("A new referral from child protection asks for guidance but says nothing about "
                 "what they expect or what will be reported. The parents were told they must take part."),
        dilemma_type="unclear_mandate",
        concern_level="some",
        options=("Start anyway and clarify later; decline; or ask for a written goal and a joint meeting "
                 "first."),
        consulted="Team leader.",
        decision="Asked for a written goal and a joint meeting before the first visit.",
        follow_up_days=14,
    ),
    _hard(
        57, "Review through an interpreter",
        subthemes=("positive_moments.film_techniques", "safe_alliance.double_gaze"),
        tags=("interpreter",),
        what_happened=("Review with an interpreter on speakerphone. The timing of every still got lost in "
                       "translation."),
        what_made_it_hard="By the time my words arrived the moment on screen was long gone.",
        what_helped="Pausing first, then speaking, then waiting for the interpreter before playing on.",
        what_did_not_help="Talking over the film.",
        effect="unclear",
        effect_note="",
    ),
    _ct(
        36, "A newborn's cry in the waiting room",
        subthemes=("therapist_feelings.own_history",),
        feelings=["sadness", "tenderness"],
        intensity=5,
        body="Tears close.",
        trigger="A newborn crying in the waiting room took me straight back to my own son's first weeks.",
        whose=["my_history"],
        what_i_did="Let it be there for a moment, then went on with my day.",
    ),
    _hard(
        21, "Two reviews back to back",
        subthemes=("therapist_feelings.nothing_moves",),
        what_happened="Two reviews in a row in different towns with no break between them.",
        what_made_it_hard="I carried the first family into the second visit.",
        what_helped="Five minutes in the car with the radio off.",
        effect="unclear",
    ),
    _dilemma(
        6, "Filming in a shared flat",
        subthemes=("safe_alliance.filming_reluctance",),
        tags=("consent", "referral"),
        dilemma="A new family lives in a shared flat. Other adults may end up on film in the kitchen.",
        dilemma_type="filming_consent",
        concern_level="none",
        options="Film only in their room; ask flatmates for consent; or film at the family centre.",
        consulted="",
        decision="",
        follow_up_days=None,
    ),
    _bright(
        1, "Supervisor's reply helped me sort it",
        subthemes=("therapist_feelings.own_history",),
        tags=("supervision",),
        what_happened=("The written reply from my supervisor helped me separate what was mine "
                       "from what belonged to the family in last week's dilemma."),
        what_made_it_possible="Sharing the entry instead of carrying it alone.",
    ),
    _bright(
        0, "Every door opened this week",
        themes=("therapist_feelings",),
        what_happened="Five visits this week and every family opened the door.",
    ),
]

ENTRIES: list[dict[str, Any]] = sorted(
    [*_P1_ENTRIES, *_P2_ENTRIES, *_P3_ENTRIES, *_P4_ENTRIES, *_GENERAL_ENTRIES],
    key=lambda e: -e["days_ago"],  # oldest first, the order a seeder would write them in
)
