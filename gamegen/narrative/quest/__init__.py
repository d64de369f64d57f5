"""Quest lines: the world facts quests name (:mod:`.world`), the quest-line schema and its assembly
(:mod:`.questline`), and ``narrative.quest`` (:mod:`.generator`)."""
