"""Branching dialogue: the graph (:mod:`.graph`), its builder, validator, Ink and Yarn writers, the dialogue asset
and its exporter, and ``narrative.dialogue`` (:mod:`.generator`)."""
