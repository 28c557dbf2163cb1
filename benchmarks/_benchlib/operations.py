"""Single operations, each in three spellings: our Store, raw boto3 and raw s3fs.

Every spelling does the same thing to the same bucket through the same gateway, so the ratio
ours/raw of requests and seconds is the price of our layer. Set-up (the object a ``delete`` will
remove, the source of a ``move``) is written straight to the target, never through the gateway,
and is not timed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

__all__ = ["CLIENTS", "OPERATIONS", "KiB", "MiB", "OpCase", "OpEnv"]

KiB = 1024
MiB = 1024 * KiB
CHUNK = 1 * MiB
CLIENTS = ("store", "boto3", "s3fs")


def payload(size: int) -> bytes:
    """Deterministic, incompressible-enough content of ``size`` bytes."""
    block = bytes(range(256)) * (KiB // 256) * 4  # 4 KiB
    reps = size // len(block) + 1
    return (block * reps)[:size]


@dataclass
class OpEnv:
    bucket: str
    make_store: Callable[[], Any]
    boto3: Any
    s3fs: Any
    admin: Any
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    @cached_property
    def store(self) -> Any:
        return self.make_store()

    def fresh_key(self, stem: str) -> str:
        return f"ops/{stem}-{next(self._counter):06d}"

    def put_direct(self, key: str, data: bytes) -> None:
        self.admin.put_object(Bucket=self.bucket, Key=key, Body=data)

    def exists_direct(self, key: str) -> bool:
        try:
            self.admin.head_object(Bucket=self.bucket, Key=key)
        except self.admin.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def s3path(self, key: str) -> str:
        return f"{self.bucket}/{key}"


def _boto3_exists(env: OpEnv, key: str) -> bool:
    try:
        env.boto3.head_object(Bucket=env.bucket, Key=key)
    except env.boto3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _drain(stream: Any) -> int:
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
    return total


@dataclass(frozen=True)
class OpCase:
    """One operation at one size.

    ``setup(env)`` returns the arguments of one call; ``run[client](env, *args)`` is the timed
    call; ``verify(result, *args)`` checks its return value (cheap, in-process); ``after(env,
    *args)`` checks the post-condition through the target once the case has run; ``pinned``
    are request counts fixed by the project's decisions (asserted), per client.
    """

    name: str
    size: int
    rounds: int
    setup: Callable[[OpEnv], tuple[Any, ...]]
    run: dict[str, Callable[..., Any]]
    verify: Callable[..., None] = lambda result, *args: None
    after: Callable[..., None] = lambda env, *args: None
    pinned: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Number of conditional (If-None-Match) requests per call, where pinned.
    conditional: dict[str, int] = field(default_factory=dict)


def _sized(size: int) -> str:
    return f"{size // MiB}MiB" if size >= MiB else f"{size // KiB}KiB"


def _write_case(size: int, rounds: int) -> OpCase:
    data = payload(size)

    def setup(env: OpEnv) -> tuple[Any, ...]:
        return (f"ops/write-{_sized(size)}", data)

    def after(env: OpEnv, key: str, body: bytes) -> None:
        got = env.admin.get_object(Bucket=env.bucket, Key=key)["Body"].read()
        assert got == body, f"{key}: stored content differs from what was written"

    small = {"PutObject": 1} if size <= 8 * MiB else None
    pinned = {"boto3": {"PutObject": 1}}
    if small:
        pinned["store"] = small
    return OpCase(
        name=f"write {_sized(size)}",
        size=size,
        rounds=rounds,
        setup=setup,
        run={
            "store": lambda env, key, body: env.store.write(key, body, overwrite=True),
            "boto3": lambda env, key, body: env.boto3.put_object(
                Bucket=env.bucket, Key=key, Body=body
            ),
            "s3fs": lambda env, key, body: env.s3fs.pipe_file(env.s3path(key), body),
        },
        after=after,
        pinned=pinned,
    )


def _write_new_case() -> OpCase:
    data = payload(KiB)

    def after(env: OpEnv, key: str, body: bytes) -> None:
        assert env.exists_direct(key), f"{key} was not created"

    return OpCase(
        name="write 1KiB overwrite=False",
        size=KiB,
        rounds=20,
        setup=lambda env: (env.fresh_key("new"), data),
        run={
            "store": lambda env, key, body: env.store.write(key, body, overwrite=False),
            "boto3": lambda env, key, body: env.boto3.put_object(
                Bucket=env.bucket, Key=key, Body=body, IfNoneMatch="*"
            ),
            "s3fs": lambda env, key, body: env.s3fs.pipe_file(env.s3path(key), body, mode="create"),
        },
        after=after,
        pinned={"store": {"PutObject": 1}, "boto3": {"PutObject": 1}},
        conditional={"store": 1, "boto3": 1},
    )


def _read_case(size: int, rounds: int, streaming: bool) -> OpCase:
    data = payload(size)
    key = f"ops/read-{_sized(size)}"
    done: set[str] = set()

    def setup(env: OpEnv) -> tuple[Any, ...]:
        if key not in done:  # once per case: the object is only read afterwards
            env.put_direct(key, data)
            done.add(key)
        return (key,)

    if streaming:

        def store_run(env: OpEnv, k: str) -> int:
            with env.store.read(k) as stream:
                return _drain(stream)

        def boto3_run(env: OpEnv, k: str) -> int:
            body = env.boto3.get_object(Bucket=env.bucket, Key=k)["Body"]
            return sum(len(c) for c in body.iter_chunks(CHUNK))

        def s3fs_run(env: OpEnv, k: str) -> int:
            with env.s3fs.open(env.s3path(k), "rb") as stream:
                return _drain(stream)

        def verify(result: int, k: str) -> None:
            assert result == size, f"streamed {result} bytes of {size}"

        name = f"streaming read {_sized(size)}"
        pinned = {"boto3": {"GetObject": 1}}
    else:

        def store_run(env: OpEnv, k: str) -> bytes:
            return bytes(env.store.read_bytes(k))

        def boto3_run(env: OpEnv, k: str) -> bytes:
            return bytes(env.boto3.get_object(Bucket=env.bucket, Key=k)["Body"].read())

        def s3fs_run(env: OpEnv, k: str) -> bytes:
            return bytes(env.s3fs.cat_file(env.s3path(k)))

        def verify(result: bytes, k: str) -> None:  # type: ignore[misc]
            assert result == data, "read_bytes returned other content"

        name = f"read_bytes {_sized(size)}"
        pinned = {"boto3": {"GetObject": 1}}
    return OpCase(
        name=name,
        size=size,
        rounds=rounds,
        setup=setup,
        run={"store": store_run, "boto3": boto3_run, "s3fs": s3fs_run},
        verify=verify,
        pinned=pinned,
    )


def _exists_case(hit: bool) -> OpCase:
    key = "ops/exists-hit" if hit else "ops/exists-miss"
    done: list[bool] = []

    def setup(env: OpEnv) -> tuple[Any, ...]:
        if hit and not done:
            env.put_direct(key, b"x")
            done.append(True)
        return (key,)

    def verify(result: bool, k: str) -> None:
        assert result is hit, f"exists({k}) = {result}, expected {hit}"

    return OpCase(
        name=f"exists {'hit' if hit else 'miss'}",
        size=0,
        rounds=20,
        setup=setup,
        run={
            "store": lambda env, k: env.store.exists(k),
            "boto3": _boto3_exists,
            "s3fs": lambda env, k: env.s3fs.exists(env.s3path(k)),
        },
        verify=verify,
        pinned={"boto3": {"HeadObject": 1}, "store": {"ListObjectsV2": 1}},
    )


def _info_case() -> OpCase:
    key = "ops/info"
    done: list[bool] = []

    def setup(env: OpEnv) -> tuple[Any, ...]:
        if not done:
            env.put_direct(key, payload(KiB))
            done.append(True)
        return (key,)

    def size_of(result: Any) -> int:
        if isinstance(result, dict):
            return int(result.get("ContentLength", result.get("size", -1)))
        return int(result.size)

    def verify(result: Any, k: str) -> None:
        assert size_of(result) == KiB, f"info({k}) reports size {size_of(result)}"

    return OpCase(
        name="get_file_info",
        size=KiB,
        rounds=20,
        setup=setup,
        run={
            "store": lambda env, k: env.store.get_file_info(k),
            "boto3": lambda env, k: env.boto3.head_object(Bucket=env.bucket, Key=k),
            "s3fs": lambda env, k: env.s3fs.info(env.s3path(k)),
        },
        verify=verify,
        pinned={"boto3": {"HeadObject": 1}},
    )


def _delete_case() -> OpCase:
    def setup(env: OpEnv) -> tuple[Any, ...]:
        key = env.fresh_key("delete")
        env.put_direct(key, b"x" * KiB)
        return (key,)

    def after(env: OpEnv, key: str) -> None:
        assert not env.exists_direct(key), f"{key} still exists after delete"

    return OpCase(
        name="delete",
        size=KiB,
        rounds=20,
        setup=setup,
        run={
            "store": lambda env, k: env.store.delete(k),
            "boto3": lambda env, k: env.boto3.delete_object(Bucket=env.bucket, Key=k),
            "s3fs": lambda env, k: env.s3fs.rm_file(env.s3path(k)),
        },
        after=after,
        pinned={"boto3": {"DeleteObject": 1}},
    )


def _copy_case(move: bool) -> OpCase:
    src_fixed = "ops/copy-src-1MiB"
    done: list[bool] = []

    def setup(env: OpEnv) -> tuple[Any, ...]:
        if move:
            src = env.fresh_key("move-src")
            env.put_direct(src, payload(MiB))
        else:
            src = src_fixed
            if not done:
                env.put_direct(src, payload(MiB))
                done.append(True)
        return (src, env.fresh_key("move-dst" if move else "copy-dst"))

    def after(env: OpEnv, src: str, dst: str) -> None:
        assert env.exists_direct(dst), f"{dst} missing after {'move' if move else 'copy'}"
        assert env.exists_direct(src) is not move, f"{src} in wrong state after the operation"

    def boto3_run(env: OpEnv, src: str, dst: str) -> None:
        env.boto3.copy_object(
            Bucket=env.bucket, Key=dst, CopySource={"Bucket": env.bucket, "Key": src}
        )
        if move:
            env.boto3.delete_object(Bucket=env.bucket, Key=src)

    def store_run(env: OpEnv, src: str, dst: str) -> None:
        (env.store.move if move else env.store.copy)(src, dst, overwrite=True)

    def s3fs_run(env: OpEnv, src: str, dst: str) -> None:
        (env.s3fs.mv if move else env.s3fs.copy)(env.s3path(src), env.s3path(dst))

    pinned = {"boto3": {"CopyObject": 1, "DeleteObject": 1} if move else {"CopyObject": 1}}
    return OpCase(
        name="move 1MiB" if move else "copy 1MiB",
        size=MiB,
        rounds=20,
        setup=setup,
        run={"store": store_run, "boto3": boto3_run, "s3fs": s3fs_run},
        after=after,
        pinned=pinned,
    )


OPERATIONS: dict[str, OpCase] = {
    c.name: c
    for c in (
        _write_case(KiB, 20),
        _write_case(MiB, 10),
        _write_case(64 * MiB, 3),
        _write_new_case(),
        _read_case(MiB, 10, streaming=False),
        _read_case(64 * MiB, 3, streaming=True),
        _exists_case(True),
        _exists_case(False),
        _info_case(),
        _delete_case(),
        _copy_case(move=False),
        _copy_case(move=True),
    )
}
