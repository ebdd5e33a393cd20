"""A listener's player written with the official ListenBrainz client, liblistenbrainz, against Playlog.

Run by test/listenbrainz/liblistenbrainz.test.ts with .tools/liblistenbrainz/bin/python:

    liblistenbrainz_client.py <api base URL> <user name> <listened_at base, Unix seconds>

with the token in LISTENBRAINZ_TOKEN. It validates the token, submits a single listen, a playing_now and
an import, reads them back, asks for an endpoint Playlog does not serve, and prints one JSON document: what
each call returned, every HTTP status urllib3 saw (retries included) and the client's view of the rate
limit after each call. A call that raises ends the run with the exception in the document and exit code 1.
"""

import json
import os
import sys
import time

import urllib3.connectionpool
from liblistenbrainz import Listen, ListenBrainz
from liblistenbrainz.errors import ListenBrainzAPIException

# Every attempt urllib3 makes, retries of a 429 included: liblistenbrainz itself sees only the last.
statuses = []
_make_request = urllib3.connectionpool.HTTPConnectionPool._make_request


def _counting_make_request(self, conn, method, url, *args, **kwargs):
    response = _make_request(self, conn, method, url, *args, **kwargs)
    statuses.append([method, url.split("?")[0], response.status])
    return response


urllib3.connectionpool.HTTPConnectionPool._make_request = _counting_make_request


def listen_json(listen):
    if listen is None:
        return None
    return {
        "listened_at": listen.listened_at,
        "track_name": listen.track_name,
        "artist_name": listen.artist_name,
        "release_name": listen.release_name,
        "recording_msid": listen.recording_msid,
        "additional_info": listen.additional_info,
    }


def main():
    api_url, user_name, base = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = ListenBrainz(api_base_url=api_url)
    started = time.monotonic()
    report = {"calls": [], "statuses": statuses}

    def call(name, run):
        value = run()
        report["calls"].append(
            {
                "name": name,
                "value": value,
                "remaining": client.remaining_requests,
                "reset_in": client.ratelimit_reset_in,
                "at": round(time.monotonic() - started, 3),
            }
        )

    try:
        call("set_auth_token", lambda: client.set_auth_token(os.environ["LISTENBRAINZ_TOKEN"]))
        single = Listen(
            track_name="Says",
            artist_name="Nils Frahm",
            release_name="Spaces",
            listened_at=base,
            recording_mbid="0a54b5a6-3f4c-4a36-8bd1-2a4b6c1a9f10",
            artist_mbids=["a74b1b7f-71a5-4011-9441-d0b5e4122711"],
            tags=["ambient", "piano"],
            tracknumber=3,
            listening_from="liblistenbrainz test",
            isrc="DEQ321300123",
            additional_info={"duration_ms": 488000, "submission_client": "liblistenbrainz test"},
        )
        call("submit_single_listen", lambda: client.submit_single_listen(single))
        playing = Listen(track_name="Emerald Rush", artist_name="Jon Hopkins", additional_info={"duration_ms": 600000})
        call("submit_playing_now", lambda: client.submit_playing_now(playing))
        imported = [
            Listen(track_name="Hoppípolla", artist_name="Sigur Rós", release_name="Takk...", listened_at=base - 3600, additional_info={"duration_ms": 268000}),
            Listen(track_name="Teardrop", artist_name="Massive Attack", listened_at=base - 3000),
            Listen(track_name="Kerala", artist_name="Bonobo", release_name="Migration", listened_at=base - 2400, additional_info={"duration_ms": 249000}),
        ]
        call("submit_multiple_listens", lambda: client.submit_multiple_listens(imported))
        call("get_listens", lambda: [listen_json(listen) for listen in client.get_listens(user_name, count=10)])
        call("get_listens_before_base", lambda: [listen_json(listen) for listen in client.get_listens(user_name, max_ts=base, count=2)])
        call("get_user_listen_count", lambda: client.get_user_listen_count(user_name))
        call("get_playing_now", lambda: listen_json(client.get_playing_now(user_name)))
        call("get_user_recordings", lambda: client.get_user_recordings(user_name, time_range="all_time"))

        def feedback():
            try:
                client.submit_user_feedback(1, "0a54b5a6-3f4c-4a36-8bd1-2a4b6c1a9f10")
            except ListenBrainzAPIException as error:
                return {"status_code": error.status_code, "message": error.message}
            return "accepted"

        call("submit_user_feedback", feedback)
    except Exception as error:  # noqa: BLE001 - the test reads which call failed and why
        report["error"] = f"{type(error).__name__}: {error}"
        print(json.dumps(report))
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
