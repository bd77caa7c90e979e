# Made tests/data/format2 with main at fa9eaae (its store code as at f1df12d, before the store rebuild);
# show how: `PYTHONPATH=<checkout of f1df12d> python make_store.py OUT`.
import os, shutil, sys
from pathlib import Path
from annotations.store import Store
from annotations.workspace import Workspace
from annotations.documents import load_documents
from annotations.history import History
from annotations.suggest import Suggestion
from annotations import anchoring

out = Path(sys.argv[1])
arts = out / "articles"
shutil.rmtree(out, ignore_errors=True)
arts.mkdir(parents=True)
A = ("The council voted on Tuesday to fund the weir.\n\n"
     "\"We will not wait,\" said the mayor.\n\n"
     "Critics said the study was thin.\n")
B = ("Councillors approved money for the weir on Tuesday.\n\n"
     "The mayor said: \"We will not wait.\"\n\n"
     "A spokesman declined to comment.\n")
(arts / "outlet-a.txt").write_text(A, encoding="utf-8")
(arts / "outlet-b.txt").write_text(B, encoding="utf-8")
(arts / "wire-copy.txt").write_text(A, encoding="utf-8")  # same text as outlet-a: merged today
(arts / "changes.txt").write_text("Old text of a story.\n\nIt says one thing here.\n", encoding="utf-8")
os.chdir(out)
store_dir = Path("store")
docs, errs = load_documents([Path("articles/outlet-a.txt"), Path("articles/outlet-b.txt"), Path("articles/changes.txt"), Path("articles/wire-copy.txt")])
assert not errs
ws = Workspace(Store(store_dir), docs, annotator="ana")
a, b, c = ws.order[:3]
t1 = ws.tag(a.id, a.text.index("The council"), None, "claim")
t2 = ws.tag(a.id, 0, (a.text.index("We will"), a.text.index("We will") + len("We will not wait")), "quote")
t3 = ws.tag(b.id, 0, (b.text.index("We will"), b.text.index("We will") + len("We will not wait")), "quote")
t4 = ws.tag(b.id, b.text.index("A spokesman"), None, "opinion")
ws.update(t1.with_changes(note="check the minutes"))
ws.update(t4.with_changes(label="claim"))
ws.link(t2, t3, "same-quote")
t5 = ws.tag(a.id, a.text.index("Critics"), None, "opinion")
ws.remove(a.id, t5.id)
t6 = ws.tag(c.id, c.text.index("It says"), None, "claim")
t7 = ws.tag(c.id, 0, None, "terms")
ws.store.set_status(a.id, "done")
ws.reject(a.id, Suggestion(0, 3, "terms"))
ws.undo()  # the rejection undone: a redo step
ws.store.compact(a.id)  # doc a: a snapshot and a log
t8 = ws.tag(a.id, a.text.index("said the mayor"), (a.text.index("said the mayor"), a.text.index("said the mayor") + 14), "claim")
ws.store.set_state("panes", [{"doc_id": a.id, "path": a.meta.path, "cursor": 5}, {"doc_id": b.id, "path": b.meta.path, "cursor": 0}])
ws.store.close()
# the article changes: one annotation carried, one orphan
(arts / "changes.txt").write_text("Editor's note: updated.\n\nIt says one thing here.\n", encoding="utf-8")
docs, errs = load_documents([Path("articles/changes.txt")])
ws = Workspace(Store(store_dir), docs, annotator="ana")
new = ws.order[0]
print("orphans", [o.text for o in ws.orphans(new.id)])
ws.store.close()
# an imported document (no file)
from annotations.formats.importing import import_file
rec = Path("imported.jsonl")
rec.write_text('{"text": "An imported text about the weir.", "spans": [{"start": 3, "end": 11, "label": "terms"}]}\n', encoding="utf-8")
st = Store(store_dir)
print(import_file(st, rec, "jsonl"))
st.close()
rec.unlink()
print(sorted(p.name for p in store_dir.iterdir()))
