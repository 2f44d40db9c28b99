"""Microsoft Teams front-end (botbuilder). Every Bot Framework import stays inside this package."""
