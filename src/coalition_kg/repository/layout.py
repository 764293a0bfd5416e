"""Where things are in a coalition-kg repository, and the IRIs derived from that layout."""

from __future__ import annotations

import fnmatch
import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.files import OutsideFile, inside, kind_of, real_path
from coalition_kg.repository.vocabulary import PREFIXES_FILE, Vocabulary

REFERENCE_FILE = Path("data") / "reference.ttl"


@dataclass(frozen=True)
class Layout:
    """The folders of one repository. Pointed at another repository with the same layout
    (``--root DIR``), every command works the same."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Layout:
        root = Path(root).resolve()
        layout = cls(root)
        missing = [name for name in ("ontology", "data", "shapes", "queries") if not (root / name).is_dir()]
        if missing:
            folders = ", ".join(name + "/" for name in missing)
            raise UsageProblem(f"{root}: not a coalition-kg repository (missing {folders})")
        return layout

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        """The repository's namespaces and the IRIs of its base (shapes/prefixes.ttl), read once."""
        return Vocabulary.read(self.root)

    def graph_for(self, data_file: Path) -> str:
        """The named graph of a data file is its stem: data/sources/<doc-id>.ttl -> graph/<doc-id>.
        Sub-folders only group files, so two files with one stem are refused at load."""
        return self.vocabulary.graph(data_file.stem)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def rules_dir(self) -> Path:
        return self.ontology_dir / "rules"

    @property
    def standards_dir(self) -> Path:
        return self.ontology_dir / "standards"

    def ontology_files(self) -> list[Path]:
        return self.files(self.ontology_dir, "*.ttl")

    def standard_files(self) -> list[Path]:
        """ontology/standards/*.nt: the standard vocabularies' own axioms, for the consistency check
        only (never published); none in a repository without the folder."""
        return self.files(self.standards_dir, "*.nt")

    def data_files(self) -> list[Path]:
        return self.files(self.data_dir, "*.ttl", recursive=True)

    def source_files(self) -> list[Path]:
        return self.files(self.data_dir / "sources", "*.ttl")

    def shape_files(self, kind: str) -> list[Path]:
        """shapes/<kind>*.ttl, and shapes/prefixes.ttl beside them: the sh:declare their sh:prefixes name."""
        files = self.files(self.shapes_dir, f"{kind}*.ttl")
        return files + self.files(self.shapes_dir, PREFIXES_FILE.name) if files else []

    def query_files(self) -> list[Path]:
        return self.files(self.queries_dir, "*.rq")

    def rule_files(self) -> list[Path]:
        return self.files(self.rules_dir, "*.rq")

    def files(self, folder: Path, pattern: str, recursive: bool = False) -> list[Path]:
        """The files named ``pattern`` in ``folder`` (and its sub-folders, if ``recursive``), sorted:
        the one listing every command reads the repository through. Only regular files whose real
        path is inside the root are listed; a matching name that is a link leaving the root, a link to
        nothing, a loop, a FIFO, a device or a socket is refused, naming it (never skipped: a skipped
        file would be data lost without a word). Links inside the root are followed, each folder once."""
        root = str(self.root)
        if not os.path.lexists(folder):
            return []
        real = real_path(folder, self.shown(folder))
        if not inside(real, root):
            raise OutsideFile(f"{self.shown(folder)}: a symbolic link to {real}, outside the repository")
        found: list[Path] = []
        top = os.stat(real)
        seen = {(top.st_dev, top.st_ino): self.shown(folder)}  # folders walked, by inode: a second visit is a loop
        pending = [folder]
        while pending:
            with os.scandir(pending.pop()) as listed:
                entries = sorted(listed, key=lambda entry: entry.name)  # the same file named first, every run
                for entry in entries:
                    wanted = fnmatch.fnmatchcase(entry.name, pattern)
                    if entry.is_symlink():
                        if not wanted and not recursive:
                            continue  # never read, so never followed
                        target = self._link_target(entry, wanted)
                        if target is None:
                            continue
                        mode, inode = target
                    elif wanted or (recursive and entry.is_dir(follow_symlinks=False)):
                        info = entry.stat(follow_symlinks=False)
                        mode, inode = info.st_mode, (info.st_dev, info.st_ino)
                    else:
                        continue
                    if stat.S_ISDIR(mode) and recursive:
                        if inode in seen:
                            raise OutsideFile(f"{self.shown(entry.path)}: leads to a folder read already "
                                              f"({seen[inode]}): a loop of links, or a second copy; remove it")
                        seen[inode] = self.shown(entry.path)
                        pending.append(Path(entry.path))
                    elif wanted and stat.S_ISREG(mode):
                        found.append(Path(entry.path))
                    elif wanted:
                        raise OutsideFile(f"{self.shown(entry.path)}: {kind_of(mode)}, not a regular file; "
                                          "only regular files are read")
        return sorted(found)

    def _link_target(self, entry: os.DirEntry[str], wanted: bool) -> tuple[int, tuple[int, int]] | None:
        """(mode, inode) of what a link inside the root leads to; a link that is wanted (or leads to a
        folder) and leaves the root, loops or leads nowhere is refused; None for one that is ignored."""
        shown = self.shown(entry.path)
        try:
            real = real_path(entry.path, shown)
        except OutsideFile:
            if wanted:
                raise
            return None  # a broken link of another name: nothing would read it
        info = os.stat(real)
        if not (wanted or stat.S_ISDIR(info.st_mode)):
            return None
        if not inside(real, str(self.root)):
            what = "folder" if stat.S_ISDIR(info.st_mode) else "file"
            raise OutsideFile(f"{shown}: a symbolic link to the {what} {real}, outside the repository; "
                              f"copy it into the repository instead")
        return info.st_mode, (info.st_dev, info.st_ino)

    def shown(self, path: Path | str) -> str:
        """A path inside the repository as the user knows it, links not resolved."""
        text = str(path)
        return text[len(str(self.root)) + 1:] if text.startswith(str(self.root) + os.sep) else text

    def graphs(self) -> list[str]:
        """Every named graph the repository publishes: the ontology, one per data file, the derived
        shortcuts of each, and the joint derived graph. `push` writes these and remote queries name
        them as their dataset."""
        vocabulary = self.vocabulary
        data = [self.graph_for(path) for path in self.data_files()]
        return [vocabulary.ontology_graph, *data, *(vocabulary.derived_graph_of(g) for g in data),
                vocabulary.derived_graph]

    def check_graph_name(self, path: Path, graph: str) -> None:
        """A data file may not take a graph name the machinery reserves (see Vocabulary.reserved_graphs)."""
        reserved = self.vocabulary.reserved_graphs
        if graph in reserved and not (graph == self.vocabulary.reference_graph and
                                      Path(self.shown(path)) == REFERENCE_FILE):
            raise UsageProblem(f"{self.shown(path)}: its graph name <{graph}> is reserved for "
                               f"{reserved[graph]} graph; rename the file")

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
