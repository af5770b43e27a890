"""A tiny tus client on top of the Flask test client (shared by the media tests)."""
import base64

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**pairs) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in pairs.items())


def create(client, length, kind="uji", target_id="1", filename="video.mp4", **extra_headers):
    headers = {**TUS, "Upload-Length": str(length), "X-CSRFToken": client.csrf_token(),
               "Upload-Metadata": metadata(filename=filename, kind=kind, target_id=target_id)}
    headers.update(extra_headers)
    return client.post("/media/tus/", headers=headers)


def patch(client, location, offset, body, **extra_headers):
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
               "X-CSRFToken": client.csrf_token()}
    headers.update(extra_headers)
    return client.patch(location, data=body, headers=headers)


def upload(client, data: bytes, chunk: int = 64 * 1024, **create_kwargs):
    """Create and send every chunk; returns (location, last response)."""
    created = create(client, len(data), **create_kwargs)
    assert created.status_code == 201, created.get_data(as_text=True)
    location = created.headers["Location"]
    offset, response = 0, None
    while offset < len(data):
        response = patch(client, location, offset, data[offset:offset + chunk])
        if response.status_code != 204:
            return location, response
        offset = int(response.headers["Upload-Offset"])
    return location, response


def padded_video(path, size: int, clip) -> None:
    """A valid MP4 of exactly `size` bytes: a short real clip, then an MP4 "free" box of random
    bytes (players and the server's validation skip it), like a long phone video on the wire."""
    import os

    head = clip.read_bytes()
    padding = size - len(head) - 16
    with open(path, "wb") as out:
        out.write(head)
        out.write((1).to_bytes(4, "big") + b"free" + (padding + 16).to_bytes(8, "big"))
        block = os.urandom(1024 * 1024)
        while padding > 0:
            out.write(block[:min(padding, len(block))])
            padding -= min(padding, len(block))
