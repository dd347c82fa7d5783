"""What can be chosen: themes, subthemes, entry kinds and the small fixed vocabularies."""
