"""Scheduled runs (`briefer daily`): gather the day's articles from folders and feeds, drop
duplicates, group them into stories, brief each one and write the dated folder and its index."""
