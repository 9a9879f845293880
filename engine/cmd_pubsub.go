package engine

func pubsubHandlers() []handlerEntry {
	return []handlerEntry{}
}
