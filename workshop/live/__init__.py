"""The live service: sessions in memory, the notifier that hears what changed, the broadcaster."""
