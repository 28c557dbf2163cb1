"""Server defects the moto target can emulate, so qualification tests have a real server that
misbehaves the way independent S3 implementations have been measured to.

Each defect patches moto's ``S3Backend`` process-wide, so it is meant for a moto *subprocess*
(:class:`MotoProcessTarget` ``defects=...``), never the in-thread target:

* ``drop_subfolder_prefixes``: a delimiter listing omits every common prefix that holds no object
  directly (``tree/only-sub/`` is missing while ``tree/only-sub/a/f1`` exists): the server builds
  folders from the parents of its objects, one level deep.
* ``prefixes_not_counted``: a delimiter ``ListObjectsV2`` page counts only keys toward
  ``MaxKeys``, so a page holds every common prefix up to the ``MaxKeys``-th key (a folder of
  subfolders comes back in one page however small ``MaxKeys`` is).
* ``copy_adds_metadata``: ``CopyObject`` adds a user-metadata key ``mtime`` to the destination
  (measured on ``rclone serve s3``, whose copy stores the source's modification time).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFECTS", "install"]

#: Defect name -> one line saying what the server then does wrong.
DEFECTS: dict[str, str] = {
    "drop_subfolder_prefixes": "delimiter listings omit folders that hold only subfolders",
    "prefixes_not_counted": "ListObjectsV2 counts only keys, not common prefixes, toward MaxKeys",
    "copy_adds_metadata": "CopyObject adds the user-metadata key 'mtime' to the destination",
}

#: The metadata key ``copy_adds_metadata`` adds (as stored by moto: with the amz prefix).
ADDED_METADATA_KEY = "x-amz-meta-mtime"


def _holds_an_object(bucket: Any, folder: str, delimiter: str) -> bool:
    for name in bucket.keys:
        if name.startswith(folder) and delimiter not in name[len(folder) :]:
            return True
    return False


def _install_drop_subfolder_prefixes(backend_class: Any) -> None:
    stock = backend_class.list_objects

    def list_objects(
        self: Any, bucket: Any, prefix: Any, delimiter: Any, *args: Any, **kwargs: Any
    ) -> Any:
        keys, folders, truncated, marker = stock(self, bucket, prefix, delimiter, *args, **kwargs)
        if delimiter:
            folders = [f for f in folders if _holds_an_object(bucket, f, delimiter)]
        return keys, folders, truncated, marker

    setattr(backend_class, "list_objects", list_objects)  # noqa: B010 (patching on purpose)


def _install_prefixes_not_counted(backend_class: Any) -> None:
    stock = backend_class.list_objects_v2

    def list_objects_v2(
        self: Any,
        bucket: Any,
        prefix: Any,
        delimiter: Any,
        continuation_token: Any,
        start_after: Any,
        max_keys: int,
    ) -> Any:  # moto's own parameter names: its responses pass them by keyword
        if not delimiter or not max_keys:
            return stock(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys)
        everything, _, _ = stock(
            self, bucket, prefix, delimiter, continuation_token, start_after, 10**9
        )
        entries = sorted(everything, key=self._get_name)
        cut, keys = len(entries), 0
        for index, entry in enumerate(entries):
            keys += not isinstance(entry, str)  # common prefixes are plain strings in moto
            if keys == max_keys:
                cut = index + 1
                break
        return self._truncate_result(entries, cut)

    setattr(backend_class, "list_objects_v2", list_objects_v2)  # noqa: B010


def _install_copy_adds_metadata(backend_class: Any) -> None:
    stock = backend_class.copy_object

    def copy_object(self: Any, src_key: Any, dest_bucket_name: str, dest_key_name: str,
                    *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        result = stock(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs)
        copied = self.get_object(dest_bucket_name, dest_key_name)
        if copied is not None:
            copied.set_metadata({ADDED_METADATA_KEY: "1700000000.000000000"})
        return result

    setattr(backend_class, "copy_object", copy_object)  # noqa: B010


def install(defects: list[str]) -> None:
    """Patch moto's backend with every named defect (unknown names: ``ValueError``)."""
    unknown = sorted(set(defects) - set(DEFECTS))
    if unknown:
        raise ValueError(f"unknown moto defects {unknown}; expected some of {sorted(DEFECTS)}")
    from moto.s3.models import S3Backend

    if "drop_subfolder_prefixes" in defects:
        _install_drop_subfolder_prefixes(S3Backend)
    if "prefixes_not_counted" in defects:
        _install_prefixes_not_counted(S3Backend)
    if "copy_adds_metadata" in defects:
        _install_copy_adds_metadata(S3Backend)
