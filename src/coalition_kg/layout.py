"""Where things are in a coalition-kg repository, and the IRIs derived from that layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageProblem

BASE = "https://w3id.org/coalition-kg/"
ONTOLOGY_NS = BASE + "ontology#"
ONTOLOGY_GRAPH = BASE + "graph/ontology"
DERIVED_GRAPH = BASE + "graph/derived"
INFERRED_GRAPH = BASE + "graph/inferred"
REFERENCE_GRAPH = BASE + "graph/reference"


def graph_for(data_file: Path) -> str:
    """The named graph of a data file is its stem: data/sources/<doc-id>.ttl -> graph/<doc-id>.
    Sub-folders only group files, so two files with one stem are refused at load."""
    return BASE + "graph/" + data_file.stem


def source_for(doc_id: str) -> str:
    return BASE + "source/" + doc_id


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

    def ontology_files(self) -> list[Path]:
        return sorted(self.ontology_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.rglob("*.ttl"))

    def source_files(self) -> list[Path]:
        return sorted((self.data_dir / "sources").glob("*.ttl"))

    def shape_files(self, kind: str) -> list[Path]:
        return sorted(self.shapes_dir.glob(f"{kind}*.ttl"))

    def query_files(self) -> list[Path]:
        return sorted(self.queries_dir.glob("*.rq"))

    def rule_files(self) -> list[Path]:
        return sorted(self.rules_dir.glob("*.rq"))

    def graphs(self) -> list[str]:
        """Every named graph the repository publishes: the ontology, one per data file, the derived
        shortcuts. `push` writes these and remote queries name them as their dataset."""
        return [ONTOLOGY_GRAPH, *(graph_for(path) for path in self.data_files()), DERIVED_GRAPH]

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
